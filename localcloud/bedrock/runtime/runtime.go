package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// Config configures a Runtime. Backends is required.
type Config struct {
	// Backends picks the model backend of a model id: the batch engine's.
	Backends func(id model.ID) (backend.Backend, error)
	// Attempts numbers the calls of each request body. Share the batch
	// engine's so that a record retried on demand is a later attempt.
	// Default: the runtime's own.
	Attempts *backend.Attempts
	// Limits are the on-demand quotas per model. Default: none.
	Limits Limits
	// Clock paces the quotas and measures latency. Default: the wall clock.
	Clock clock.Clock
	// Logger receives the local cloud's own failures. Default: discarded.
	Logger *slog.Logger
}

// Runtime runs on-demand model calls. It is safe for concurrent use.
type Runtime struct {
	cfg     Config
	limiter *limiter
}

// New checks cfg and returns a runtime.
func New(cfg Config) (*Runtime, error) {
	if cfg.Backends == nil {
		return nil, errors.New("bedrock runtime: Config.Backends is required")
	}
	if err := cfg.Limits.Check(); err != nil {
		return nil, err
	}
	if cfg.Attempts == nil {
		cfg.Attempts = &backend.Attempts{}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runtime{cfg: cfg, limiter: newLimiter(cfg.Limits, cfg.Clock)}, nil
}

// Result is an answered call.
type Result struct {
	// Body is the response body: the family's InvokeModel response, or the
	// Converse response — exactly what a batch job writes as modelOutput.
	Body json.RawMessage
	// InputTokens and OutputTokens are the call's token counts.
	InputTokens, OutputTokens int
	// Latency is how long the model took, on the runtime's clock.
	Latency time.Duration
}

// Call runs body through the model: an InvokeModel request body of the
// model's family when invocationType is batch.InvocationInvokeModel, a
// Converse request when it is batch.InvocationConverse. A failure is an
// *awsproto.Error carrying the runtime's error code and HTTP status:
// ValidationException for an invalid model id or a body the model would
// reject, ThrottlingException when a quota is spent, and the code of the
// status a backend fails the call with (ModelTimeoutException for 408,
// ServiceUnavailableException for 503, …).
func (rt *Runtime) Call(ctx context.Context, modelID, invocationType string, body []byte) (Result, error) {
	id := model.ParseID(modelID)
	if _, err := id.RequireFamily(); err != nil {
		return Result{}, awsproto.Errorf(http.StatusBadRequest, CodeValidation, "%s", msgInvalidModel)
	}
	be, err := rt.cfg.Backends(id)
	if err != nil {
		return Result{}, awsproto.Errorf(http.StatusForbidden, CodeAccessDenied,
			"You don't have access to the model with the specified model ID. (The local cloud has no backend for %s: %v)", modelID, err)
	}
	info, err := model.CheckRequest(id, invocationType, body)
	if err != nil {
		var re *model.RecordError
		if errors.As(err, &re) {
			return Result{}, statusError(re.Code, re.Message)
		}
		return Result{}, awsproto.Errorf(http.StatusBadRequest, CodeValidation, "%v", err)
	}
	reserved := info.InputTokens + info.MaxTokens
	if !rt.limiter.take(id.Base(), reserved) {
		return Result{}, awsproto.Errorf(http.StatusTooManyRequests, CodeThrottling, "%s", msgThrottled)
	}
	start := rt.cfg.Clock.Now()
	resp, err := be.Invoke(ctx, backend.Request{Model: id, InvocationType: invocationType, Body: body,
		Attempt: rt.cfg.Attempts.Next(id, body)})
	latency := rt.cfg.Clock.Now().Sub(start)
	if err != nil {
		rt.limiter.giveBack(id.Base(), reserved)
		var re *model.RecordError
		switch {
		case errors.As(err, &re):
			return Result{}, statusError(re.Code, re.Message)
		case ctx.Err() != nil:
			return Result{}, ctx.Err()
		}
		rt.cfg.Logger.Error("bedrock runtime: model backend failed", "model", modelID, "error", err)
		return Result{}, awsproto.Errorf(http.StatusInternalServerError, CodeInternalServer, "the local model backend failed: %v", err)
	}
	rt.limiter.giveBack(id.Base(), reserved-resp.InputTokens-resp.OutputTokens)
	return Result{Body: resp.Body, InputTokens: resp.InputTokens, OutputTokens: resp.OutputTokens, Latency: latency}, nil
}

// invocationOf names the invocation type of an operation.
func invocationOf(op string) string {
	if op == opConverse {
		return batch.InvocationConverse
	}
	return batch.InvocationInvokeModel
}
