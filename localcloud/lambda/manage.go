package lambda

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// functionInput is what CreateFunction and UpdateFunctionConfiguration
// take (the fields the local cloud uses).
type functionInput struct {
	FunctionName  string       `json:"FunctionName"`
	Runtime       string       `json:"Runtime"`
	Role          string       `json:"Role"`
	Handler       string       `json:"Handler"`
	Description   *string      `json:"Description"`
	Timeout       *int         `json:"Timeout"`
	MemorySize    *int         `json:"MemorySize"`
	PackageType   string       `json:"PackageType"`
	Environment   *environment `json:"Environment"`
	Architectures []string     `json:"Architectures"`
	Code          *codeInput   `json:"Code"`
	// DeadLetterConfig with an empty TargetArn removes the target.
	DeadLetterConfig *deadLetterConfig `json:"DeadLetterConfig"`
}

type deadLetterConfig struct {
	TargetArn string `json:"TargetArn"`
}

// deadLetterTarget is the ARN of an SQS queue or SNS topic
// (https://docs.aws.amazon.com/lambda/latest/api/API_DeadLetterConfig.html).
var deadLetterTarget = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$`)

// codeInput is FunctionCode, and the code fields of UpdateFunctionCode.
type codeInput struct {
	ZipFile       []byte   `json:"ZipFile"` // base64 on the wire
	S3Bucket      string   `json:"S3Bucket"`
	S3Key         string   `json:"S3Key"`
	ImageURI      string   `json:"ImageUri"`
	Architectures []string `json:"Architectures"`
}

func invalid(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValueException", format, args...).With("Type", "User")
}

func readInput(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxZipSize*4/3+1<<20))
	if err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "reading the request: %v", err).With("Type", "User")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: %v", err).With("Type", "User")
	}
	return nil
}

// unpack turns the code of a request into an unpacked package.
func (s *Service) unpack(c *codeInput) (Code, error) {
	switch {
	case c == nil:
		return Code{}, invalid("Code is required: give the deployment package as Code.ZipFile")
	case c.ImageURI != "":
		return Code{}, invalid("the local cloud runs zip functions without Docker; container image functions (ImageUri %s) are not served", c.ImageURI)
	case c.S3Bucket != "" || c.S3Key != "":
		return Code{}, invalid("the local cloud takes a deployment package inline (ZipFile), not from S3 (s3://%s/%s)", c.S3Bucket, c.S3Key)
	case len(c.ZipFile) == 0:
		return Code{}, invalid("Code.ZipFile is empty: give the deployment package, a zip file")
	case len(c.ZipFile) > MaxZipSize:
		return Code{}, awsproto.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
			"the deployment package is %d bytes; Lambda takes at most %d bytes inline", len(c.ZipFile), MaxZipSize).With("Type", "User")
	}
	code, err := s.UnpackZip(c.ZipFile)
	if err != nil {
		return Code{}, invalid("%v", err)
	}
	return code, nil
}

// apply sets the configuration fields in of fn.
func (in *functionInput) apply(fn *Function) error {
	if in.Runtime != "" {
		fn.Runtime = in.Runtime
	}
	if in.Role != "" {
		fn.Role = in.Role
	}
	if in.Handler != "" {
		fn.Handler = in.Handler
	}
	if in.Description != nil {
		fn.Description = *in.Description
	}
	if in.Timeout != nil {
		if *in.Timeout < 1 || *in.Timeout > int(MaxTimeout/time.Second) {
			return invalid("Timeout %d must be between 1 and %d seconds", *in.Timeout, int(MaxTimeout/time.Second))
		}
		fn.Timeout = time.Duration(*in.Timeout) * time.Second
	}
	if in.MemorySize != nil {
		if *in.MemorySize < 128 || *in.MemorySize > 10240 {
			return invalid("MemorySize %d must be between 128 and 10240 MB", *in.MemorySize)
		}
		fn.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		fn.Environment = in.Environment.Variables
	}
	if len(in.Architectures) > 0 {
		fn.Architectures = in.Architectures
	}
	if dl := in.DeadLetterConfig; dl != nil {
		if dl.TargetArn != "" && !deadLetterTarget.MatchString(dl.TargetArn) {
			return invalid("DeadLetterConfig.TargetArn %q is not the ARN of an SQS queue or SNS topic (arn:aws:sqs:<region>:<account>:<queue> or arn:aws:sns:…:<topic>)", dl.TargetArn)
		}
		fn.DeadLetterArn = dl.TargetArn
	}
	return nil
}

func (s *Service) createFunction(w http.ResponseWriter, r *http.Request) error {
	var in functionInput
	if err := readInput(r, &in); err != nil {
		return err
	}
	if in.FunctionName == "" || in.Role == "" {
		return awsproto.Errorf(http.StatusBadRequest, "ValidationException", "FunctionName, Role and Code are required").With("Type", "User")
	}
	name, _, err := qualifiedName(in.FunctionName)
	if err != nil {
		return err
	}
	if in.PackageType == "Image" {
		return invalid("function %s: the local cloud runs zip functions without Docker; container image functions are not served", name)
	}
	if s.current(name).Name != "" {
		return awsproto.Errorf(http.StatusConflict, "ResourceConflictException", "Function already exist: %s", name).With("Type", "User")
	}
	fn := Function{Name: name}
	if err := in.apply(&fn); err != nil {
		return err
	}
	code, err := s.unpack(in.Code)
	if err != nil {
		return err
	}
	fn.CodeDir, fn.CodeSha256, fn.CodeSize = code.Dir, code.Sha256, code.Size
	return s.deployFromAPI(w, http.StatusCreated, fn)
}

func (s *Service) updateFunctionCode(w http.ResponseWriter, r *http.Request, functionName string) error {
	e, err := s.lookup(functionName, "")
	if err != nil {
		return err
	}
	var in codeInput
	if err := readInput(r, &in); err != nil {
		return err
	}
	code, err := s.unpack(&in)
	if err != nil {
		return err
	}
	fn := s.current(e.fn.Name)
	fn.CodeDir, fn.CodeSha256, fn.CodeSize = code.Dir, code.Sha256, code.Size
	if len(in.Architectures) > 0 {
		fn.Architectures = in.Architectures
	}
	fn.LastModified = time.Time{}
	return s.deployFromAPI(w, http.StatusOK, fn)
}

func (s *Service) updateFunctionConfiguration(w http.ResponseWriter, r *http.Request, functionName string) error {
	e, err := s.lookup(functionName, "")
	if err != nil {
		return err
	}
	var in functionInput
	if err := readInput(r, &in); err != nil {
		return err
	}
	fn := s.current(e.fn.Name)
	fn.Environment = maps.Clone(fn.Environment)
	if err := in.apply(&fn); err != nil {
		return err
	}
	fn.LastModified = time.Time{}
	return s.deployFromAPI(w, http.StatusOK, fn)
}

func (s *Service) deleteFunction(w http.ResponseWriter, functionName string) error {
	e, err := s.lookup(functionName, "")
	if err != nil {
		return err
	}
	s.Delete(e.fn.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deployFromAPI deploys fn, keeping any in-process handler, and answers
// with its configuration.
func (s *Service) deployFromAPI(w http.ResponseWriter, status int, fn Function) error {
	if len(fn.Architectures) > 1 || len(fn.Architectures) == 1 && !slices.Contains([]string{"x86_64", "arm64"}, fn.Architectures[0]) {
		return invalid("Architectures %v: give one of x86_64 and arm64", fn.Architectures)
	}
	got, err := s.Deploy(fn, nil)
	if err != nil {
		return invalid("%v", err)
	}
	awsproto.WriteJSON(w, status, "application/json", wireConfiguration(got))
	return nil
}
