package localcloud

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// HandlerMetadataKey is the CloudFormation metadata key with which the
// construct marks its functions ("createjob", "jobevent", "reconcile",
// "stopjobs"), so the local
// cloud knows which in-process handler runs each.
const HandlerMetadataKey = "bedrockbatch:handler"

// handlerRegistry maps deployed functions to in-process Go handlers: ours,
// found through their metadata, and the user's, registered by logical id,
// function name or CDK construct path.
type handlerRegistry struct {
	mu   sync.RWMutex
	user map[string]lambda.Handler
	ours map[string]lambda.Handler
}

func newHandlerRegistry(br *awsbedrock.Client, s3c *s3.Client, sfc *sfn.Client, logger *slog.Logger, clk handler.Clock) *handlerRegistry {
	createJob := handler.NewCreateJob(br, logger.With("function", "createjob"))
	jobEvent := handler.NewJobEvent(br, s3c, sfc, logger.With("function", "jobevent"))
	return &handlerRegistry{
		user: map[string]lambda.Handler{},
		ours: map[string]lambda.Handler{
			"createjob": func(ctx context.Context, payload []byte) ([]byte, error) {
				var p batch.CreateJobPayload
				if err := json.Unmarshal(payload, &p); err != nil {
					return nil, &lambda.FunctionError{Type: "InvalidPayloadError", Message: "payload is not a create-job request: " + err.Error()}
				}
				res, err := createJob.Handle(ctx, p)
				if err != nil {
					return nil, &lambda.FunctionError{Type: handler.ErrorName(err), Message: err.Error()}
				}
				return json.Marshal(res)
			},
			"jobevent": func(ctx context.Context, payload []byte) ([]byte, error) {
				var ev events.CloudWatchEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					return nil, &lambda.FunctionError{Type: "InvalidEventError", Message: "payload is not an EventBridge event: " + err.Error()}
				}
				if err := jobEvent.Handle(ctx, ev); err != nil {
					return nil, &lambda.FunctionError{Type: "JobEventError", Message: err.Error()}
				}
				return []byte("null"), nil
			},
			"reconcile": eventFunction("ReconcileError", handler.NewReconcile(br, s3c, sfc, logger.With("function", "reconcile")).WithClock(clk).Handle),
			"stopjobs":  eventFunction("StopJobsError", handler.NewStopJobs(br, logger.With("function", "stopjobs")).WithClock(clk).Handle),
		},
	}
}

// eventFunction runs an EventBridge-invoked handler, failing with errType.
func eventFunction(errType string, handle func(context.Context, events.CloudWatchEvent) error) lambda.Handler {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, &lambda.FunctionError{Type: "InvalidEventError", Message: "payload is not an EventBridge event: " + err.Error()}
		}
		if err := handle(ctx, ev); err != nil {
			return nil, &lambda.FunctionError{Type: errType, Message: err.Error()}
		}
		return []byte("null"), nil
	}
}

// register adds a user handler under a function's logical id, physical
// name or CDK construct path.
func (h *handlerRegistry) register(name string, fn lambda.Handler) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.user[name] = fn
}

// lookup finds the handler of a deployed function, or nil.
func (h *handlerRegistry) lookup(logicalID, name string, metadata map[string]any) lambda.Handler {
	h.mu.RLock()
	defer h.mu.RUnlock()
	path, _ := metadata["aws:cdk:path"].(string)
	for _, k := range []string{logicalID, name, path, strings.TrimSuffix(path, "/Resource")} {
		if fn, ok := h.user[k]; ok && k != "" {
			return fn
		}
	}
	if kind, ok := metadata[HandlerMetadataKey].(string); ok {
		return h.ours[kind]
	}
	return nil
}
