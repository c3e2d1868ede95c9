package lambda

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Handler is a function's code: the very interface the Lambda Go runtime
// runs (lambda.Start accepts one), so a deployed function runs here exactly
// the value its main starts on AWS. Build one from a typed Go function with
// awslambda.NewHandler, or from bytes in, bytes out with HandlerFunc.
//
// A failing handler is reported as the Go runtime reports it: a
// messages.InvokeResponse_Error keeps its Type, any other error is named
// after its Go type, a panic after its value's type.
type Handler = awslambda.Handler

// HandlerFunc adapts a function over JSON payloads to a Handler.
type HandlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f HandlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// Function is a function's configuration, as deployed.
type Function struct {
	// Name is the function name; it is required.
	Name string
	// Arn defaults to arn:aws:lambda:<region>:<account>:function:<Name>.
	Arn         string
	Runtime     string // e.g. provided.al2023
	Handler     string // e.g. bootstrap
	Role        string
	Description string
	Environment map[string]string
	// Timeout bounds one invocation; 0 means Lambda's default of 3 s.
	Timeout time.Duration
	// MemorySize in MB; 0 means Lambda's default of 128.
	MemorySize int
	// CodeSha256 identifies the deployed code, for GetFunction.
	CodeSha256   string
	LastModified time.Time
	// CodeDir is the directory holding the function's code, unpacked (a
	// CDK asset directory, or a zip given to CreateFunction). A function
	// with code and no in-process handler runs in processes of its own
	// through the Lambda Runtime API.
	CodeDir string
	// CodeSize is the size of the deployment package, in bytes.
	CodeSize int64
	// Architectures as configured: x86_64 (the default) or arm64. The
	// architecture a bootstrap runs on is read from its ELF header.
	Architectures []string
	// Concurrency caps the function's simultaneous invocations (its
	// reserved concurrency); 0 means Options.Concurrency.
	Concurrency int
	// DeadLetterArn is DeadLetterConfig.TargetArn: the SQS queue or SNS
	// topic that asynchronous invocations failing every attempt go to
	// (through Options.DeadLetter); empty for none.
	DeadLetterArn string
}

// Lambda's defaults and limits.
const (
	DefaultTimeout    = 3 * time.Second
	MaxTimeout        = 15 * time.Minute
	DefaultMemorySize = 128
	// MaxSyncPayload is the largest RequestResponse request payload.
	MaxSyncPayload = 6 << 20
	// MaxAsyncPayload is the largest Event request payload.
	MaxAsyncPayload = 1 << 20
)

// qualifiedName splits what callers may pass as FunctionName — a name, a
// partial ARN (account:function:name) or a full ARN, each optionally
// followed by ":qualifier" — into the name and qualifier.
func qualifiedName(s string) (name, qualifier string, err error) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function" && len(parts) <= 8:
		name = parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function" && len(parts) <= 4:
		name = parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	case len(parts) <= 2:
		name = parts[0]
		if len(parts) == 2 {
			qualifier = parts[1]
		}
	default:
		name = ""
	}
	if name == "" || len(name) > 64 {
		return "", "", awsproto.Errorf(http.StatusBadRequest, "ValidationException",
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "+
				"give a function name, a partial ARN (123456789012:function:name) or a full ARN, optionally followed by :qualifier", s)
	}
	return name, qualifier, nil
}

// arn is the function's ARN in this service's region and account.
func (s *Service) arn(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.Region, s.opts.Account, name)
}
