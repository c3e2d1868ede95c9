package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// RuntimeClient is the part of *bedrockruntime.Client the bedrock backend
// uses; tests substitute a fake.
type RuntimeClient interface {
	InvokeModel(ctx context.Context, in *bedrockruntime.InvokeModelInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.InvokeModelOutput, error)
	Converse(ctx context.Context, in *bedrockruntime.ConverseInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.ConverseOutput, error)
}

// BedrockOptions configures the bedrock backend.
type BedrockOptions struct {
	// Region is the AWS Region to call. Default: from the AWS configuration
	// (AWS_REGION, the profile).
	Region string
	// Profile is the shared-config profile to use. Default: the default
	// chain (AWS_PROFILE, then "default").
	Profile string
	// Endpoint overrides the Bedrock runtime endpoint URL.
	Endpoint string
	// MaxRetries is how often throttling (ThrottlingException,
	// ModelNotReadyException), InternalServerException,
	// ServiceUnavailableException and connection failures are retried.
	// Default 4; negative: never. These retries replace the SDK's own.
	MaxRetries int
	// BackoffBase is the first retry delay, doubled for every further
	// retry. Default 500 ms.
	BackoffBase time.Duration
	// BackoffMax caps the retry delay. Default 30 s.
	BackoffMax time.Duration
	// Concurrency is how many calls may be in flight at once. On-demand
	// quotas are per account and model; default 4.
	Concurrency int
	// Client replaces the runtime client built from the options above.
	Client RuntimeClient
}

// Bedrock is the backend that runs records on the real Bedrock runtime,
// on demand, with the user's AWS credentials: InvokeModel with the record's
// modelInput as the body (its answer is the modelOutput, byte for byte), or
// Converse for jobs whose invocation type is Converse.
type Bedrock struct {
	client  RuntimeClient
	sem     chan struct{}
	backoff backoff
}

// The headers in which the runtime reports InvokeModel's token counts.
const (
	headerInputTokens  = "X-Amzn-Bedrock-Input-Token-Count"
	headerOutputTokens = "X-Amzn-Bedrock-Output-Token-Count"
)

// NewBedrock returns a bedrock backend. Unless opts.Client is set it loads
// the AWS configuration (credentials, Region) the way the AWS CLI does.
func NewBedrock(ctx context.Context, opts BedrockOptions) (*Bedrock, error) {
	if opts.Concurrency < 0 {
		return nil, fmt.Errorf("bedrock backend: concurrency %d must not be negative", opts.Concurrency)
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = defaultConcurrency
	}
	client := opts.Client
	if client == nil {
		var loadOpts []func(*config.LoadOptions) error
		if opts.Region != "" {
			loadOpts = append(loadOpts, config.WithRegion(opts.Region))
		}
		if opts.Profile != "" {
			loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
		}
		cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
		if err != nil {
			return nil, fmt.Errorf("bedrock backend: load the AWS configuration: %w", err)
		}
		if cfg.Region == "" {
			return nil, errors.New("bedrock backend: no AWS Region: set AWS_REGION, a Region in your profile, or the backend's Region option")
		}
		client = bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
			o.Retryer = aws.NopRetryer{}
			if opts.Endpoint != "" {
				o.BaseEndpoint = aws.String(opts.Endpoint)
			}
		})
	}
	return &Bedrock{
		client:  client,
		sem:     make(chan struct{}, opts.Concurrency),
		backoff: newBackoff(opts.MaxRetries, opts.BackoffBase, opts.BackoffMax),
	}, nil
}

// Invoke runs one record on Bedrock. The service's errors become
// *RecordErrors with its status (400 for ValidationException, 429 for
// throttling once the retries are spent, …); the end of ctx is returned as
// ctx's error.
func (b *Bedrock) Invoke(ctx context.Context, req Request) (Response, error) {
	family, err := req.Model.RequireFamily()
	if err != nil {
		return Response{}, &model.RecordError{Code: 400, Message: err.Error()}
	}
	switch req.InvocationType {
	case "", batch.InvocationInvokeModel:
		return b.invokeModel(ctx, family, req)
	case batch.InvocationConverse:
		in, rerr := converseInput(req.Model.String(), req.Body)
		if rerr != nil {
			return Response{}, rerr
		}
		var out *bedrockruntime.ConverseOutput
		if err := b.call(ctx, func(ctx context.Context) error {
			var err error
			out, err = b.client.Converse(ctx, in)
			return err
		}); err != nil {
			return Response{}, err
		}
		body, in2, out2, err := converseOutputJSON(out)
		if err != nil {
			return Response{}, &model.RecordError{Code: 500, Message: err.Error()}
		}
		return Response{Body: body, InputTokens: in2, OutputTokens: out2}, nil
	}
	return Response{}, &model.RecordError{Code: 400, Message: fmt.Sprintf("unknown model invocation type %q: use InvokeModel or Converse", req.InvocationType)}
}

func (b *Bedrock) invokeModel(ctx context.Context, family model.Family, req Request) (Response, error) {
	in := &bedrockruntime.InvokeModelInput{
		ModelId:     aws.String(req.Model.String()),
		Body:        req.Body,
		ContentType: aws.String("application/json"),
		Accept:      aws.String("application/json"),
	}
	var out *bedrockruntime.InvokeModelOutput
	if err := b.call(ctx, func(ctx context.Context) error {
		var err error
		out, err = b.client.InvokeModel(ctx, in)
		return err
	}); err != nil {
		return Response{}, err
	}
	if !json.Valid(out.Body) {
		return Response{}, &model.RecordError{Code: 500, Message: "the model's answer is not JSON: " + snippet(out.Body)}
	}
	resp := Response{Body: out.Body}
	var ok bool
	if resp.InputTokens, resp.OutputTokens, ok = tokensFromHeaders(out.ResultMetadata); !ok {
		resp.InputTokens, resp.OutputTokens = usageFromBody(family, out.Body)
	}
	return resp, nil
}

// tokensFromHeaders reads the token counts of the raw HTTP answer.
func tokensFromHeaders(md middleware.Metadata) (int, int, bool) {
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok || raw == nil || raw.Response == nil {
		return 0, 0, false
	}
	in, err1 := strconv.Atoi(raw.Header.Get(headerInputTokens))
	out, err2 := strconv.Atoi(raw.Header.Get(headerOutputTokens))
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return in, out, true
}

// usageFromBody reads the token counts a family's answer carries itself.
// Mistral's answers carry none; those counts stay 0.
func usageFromBody(family model.Family, body []byte) (in, out int) {
	var u struct {
		Usage *struct {
			InputTokens      int `json:"input_tokens"`
			OutputTokens     int `json:"output_tokens"`
			InputTokensNova  int `json:"inputTokens"`
			OutputTokensNova int `json:"outputTokens"`
		} `json:"usage"`
		InputTextTokenCount int `json:"inputTextTokenCount"`
		Results             []struct {
			TokenCount int `json:"tokenCount"`
		} `json:"results"`
		PromptTokenCount     int `json:"prompt_token_count"`
		GenerationTokenCount int `json:"generation_token_count"`
	}
	if json.Unmarshal(body, &u) != nil {
		return 0, 0
	}
	switch family {
	case model.FamilyAnthropic:
		if u.Usage != nil {
			return u.Usage.InputTokens, u.Usage.OutputTokens
		}
	case model.FamilyNova:
		if u.Usage != nil {
			return u.Usage.InputTokensNova, u.Usage.OutputTokensNova
		}
	case model.FamilyTitanText, model.FamilyTitanEmbed:
		for _, r := range u.Results {
			out += r.TokenCount
		}
		return u.InputTextTokenCount, out
	case model.FamilyLlama:
		return u.PromptTokenCount, u.GenerationTokenCount
	}
	return 0, 0
}

// call runs fn under the concurrency limit with the retry policy and maps
// its failure to a *RecordError (or ctx's error when ctx ended).
func (b *Bedrock) call(ctx context.Context, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		select {
		case b.sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		err := fn(ctx)
		<-b.sem
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rerr, retry := classifyBedrockError(err)
		if !retry || attempt >= b.backoff.retries {
			if retry && b.backoff.retries > 0 {
				rerr.Message = fmt.Sprintf("%s (gave up after %d attempts)", rerr.Message, attempt+1)
			}
			return rerr
		}
		if err := b.backoff.sleep(ctx, b.backoff.delay(attempt, 0)); err != nil {
			return err
		}
	}
}

// classifyBedrockError maps a runtime error to the record error Bedrock
// batch would write, and says whether it is worth retrying.
func classifyBedrockError(err error) (*model.RecordError, bool) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return &model.RecordError{Code: 503, Message: "could not reach the Bedrock runtime: " + err.Error()}, true
	}
	msg := apiErr.ErrorMessage()
	if msg == "" {
		msg = apiErr.Error()
	}
	code, retry := 0, false
	switch apiErr.ErrorCode() {
	case "ThrottlingException", "ModelNotReadyException":
		code, retry = 429, true
	case "ServiceUnavailableException":
		code, retry = 503, true
	case "InternalServerException":
		code, retry = 500, true
	case "ValidationException":
		code = 400
	case "AccessDeniedException":
		code = 403
	case "ResourceNotFoundException":
		code = 404
	case "ModelTimeoutException":
		code = 408
	case "ModelErrorException":
		code = 424
	case "ServiceQuotaExceededException":
		code = 400
	}
	var re *awshttp.ResponseError
	if code == 0 && errors.As(err, &re) {
		code = re.HTTPStatusCode()
		retry = code == 429 || code >= 500
	}
	if code == 0 {
		code = 500
	}
	return &model.RecordError{Code: code, Message: msg}, retry
}
