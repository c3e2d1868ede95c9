package sns

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// SQSClient is the part of the SQS SDK client SNS delivers with.
type SQSClient interface {
	GetQueueUrl(ctx context.Context, in *awssqs.GetQueueUrlInput, optFns ...func(*awssqs.Options)) (*awssqs.GetQueueUrlOutput, error)
	SendMessage(ctx context.Context, in *awssqs.SendMessageInput, optFns ...func(*awssqs.Options)) (*awssqs.SendMessageOutput, error)
}

// LambdaClient is the part of the Lambda SDK client SNS delivers with.
type LambdaClient interface {
	Invoke(ctx context.Context, in *awslambda.InvokeInput, optFns ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error)
}

// Options configures a Service.
type Options struct {
	// DataDir holds <DataDir>/sns: the topics and subscriptions and the
	// signing key. Required.
	DataDir string
	// Region and Account make up ARNs. Defaults awsproto.DefaultRegion and
	// DefaultAccount.
	Region, Account string
	// SQS and Lambda deliver to queue and function subscriptions; a
	// subscription whose client is nil fails its deliveries.
	SQS    SQSClient
	Lambda LambdaClient
	// HTTP posts to http and https subscriptions. Default a client with a
	// 15-second timeout, as SNS waits for an endpoint.
	HTTP *http.Client
	// Clock stamps messages. Default the wall clock.
	Clock clock.Clock
	// Logger receives failed deliveries. Default slog.Default().
	Logger *slog.Logger
}

// Service is the local SNS. Create it with New, serve its API through the
// edge router and mount Links at LinksPath.
type Service struct {
	opts   Options
	path   string
	signer *signer

	mu    sync.Mutex
	st    *state
	dedup map[string]time.Time // FIFO topic and deduplication id → end of its window
	wg    sync.WaitGroup

	publicHost awsproto.PublicHost // see SetPublicHost
}

// LinksPath is where the service's own links are served without
// credentials: the SubscribeURL and UnsubscribeURL of messages and the
// signing certificate.
const LinksPath = "/_sns/"

// New opens the SNS state in opts.DataDir.
func New(opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("sns: Options.DataDir is required")
	}
	opts.Region = cmp.Or(opts.Region, awsproto.DefaultRegion)
	opts.Account = cmp.Or(opts.Account, awsproto.DefaultAccount)
	opts.Clock = cmp.Or[clock.Clock](opts.Clock, clock.Real{})
	opts.Logger = cmp.Or(opts.Logger, slog.Default())
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Timeout: 15e9}
	}
	dir := filepath.Join(opts.DataDir, "sns")
	st, err := loadState(filepath.Join(dir, "state.json"))
	if err != nil {
		return nil, fmt.Errorf("sns: %w", err)
	}
	sg, err := openSigner(dir)
	if err != nil {
		return nil, fmt.Errorf("sns: %w", err)
	}
	return &Service{opts: opts, path: filepath.Join(dir, "state.json"), signer: sg, st: st}, nil
}

// Wait blocks until the HTTP deliveries in progress have finished.
func (s *Service) Wait() { s.wg.Wait() }

// TopicArn is the ARN of topic name.
func (s *Service) TopicArn(name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.opts.Region, s.opts.Account, name)
}

func (s *Service) link(ctx context.Context, query string) string {
	host := s.publicHost.For(ctx)
	return "http://" + host + LinksPath + query
}

// SetPublicHost sets the host:port the cloud is served on, for the links
// in messages published by in-process clients.
func (s *Service) SetPublicHost(host string) { s.publicHost.Set(host) }

// ServeHTTP serves SNS's query protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = awsproto.StampRequestID(w, r)
	r = r.WithContext(awsproto.WithRequestHost(r.Context(), r.Host))
	if err := r.ParseForm(); err != nil {
		writeError(w, r, invalidParameter("the request is not a valid form: %v", err))
		return
	}
	action := r.Form.Get("Action")
	fn, ok := s.actions()[action]
	if !ok {
		writeError(w, r, &apiError{status: http.StatusBadRequest, code: "InvalidAction",
			msg: fmt.Sprintf("The action %q is not valid for this endpoint; the local SNS serves: %s", action, s.actionNames())})
		return
	}
	out, err := fn(r.Context(), r.Form)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeResult(w, r, action, out)
}

// Links serves the SubscribeURL and UnsubscribeURL of messages (GET with
// Action=ConfirmSubscription or Action=Unsubscribe, as SNS's links) and
// the signing certificate, without credentials, as on AWS.
func (s *Service) Links() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == LinksPath+"SimpleNotificationService.pem" {
			w.Header().Set("Content-Type", "application/x-pem-file")
			_, _ = w.Write(s.signer.certPEM)
			return
		}
		switch r.URL.Query().Get("Action") {
		case "ConfirmSubscription", "Unsubscribe":
			s.ServeHTTP(w, r)
		default:
			http.Error(w, "the SNS links serve Action=ConfirmSubscription, Action=Unsubscribe and SimpleNotificationService.pem", http.StatusNotFound)
		}
	})
}
