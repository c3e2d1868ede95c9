package localcloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
	"github.com/bedrockbatch/bedrockbatch/localcloud/s3"
)

// Options configures a Cloud.
type Options struct {
	// DataDir holds every service's state. Default ./.bedrockbatch.
	DataDir string
	// Region and Account of the local cloud. Defaults us-east-1 and
	// 000000000000.
	Region, Account string
	// Clock drives retry delays (and, for the services that plug in,
	// timeouts). Default the wall clock.
	Clock clock.Clock
	// Logger receives the services' logs. Default slog.Default().
	Logger *slog.Logger
	// RequestLogger, if set, receives one line per request.
	RequestLogger *slog.Logger
}

// Cloud is the local cloud: the router and the services it serves.
type Cloud struct {
	Router *edge.Router
	S3     *s3.Server
	Store  *s3.FileStore
	Events *events.Service
	Lambda *lambda.Service

	opts Options
}

// New opens (creating if needed) a local cloud in opts.DataDir and
// registers S3, EventBridge and Lambda on its router. EventBridge delivers
// to Lambda through the Lambda API. Call Start to run queued work.
func New(opts Options) (*Cloud, error) {
	if opts.DataDir == "" {
		opts.DataDir = ".bedrockbatch"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("local cloud data directory: %w", err)
	}
	c := &Cloud{Router: edge.New(opts.RequestLogger), opts: opts}
	store, err := s3.NewFileStore(opts.DataDir)
	if err != nil {
		return nil, err
	}
	c.Store = store
	c.S3 = s3.NewServer(store, s3.Options{Region: opts.Region})
	c.Lambda, err = lambda.New(lambda.Options{DataDir: opts.DataDir, Region: opts.Region, Account: opts.Account, Clock: opts.Clock, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	c.Events, err = events.New(events.Options{
		DataDir: opts.DataDir, Region: opts.Region, Account: opts.Account, Clock: opts.Clock, Logger: opts.Logger,
		Deliverer: events.LambdaDeliverer{Client: awslambda.NewFromConfig(c.AWSConfig())},
	})
	if err != nil {
		return nil, err
	}
	c.Router.Register(edge.S3, c.S3)
	c.Router.Register(edge.Lambda, c.Lambda)
	c.Router.Register(edge.EventBridge, c.Events)
	return c, nil
}

// Register serves another service (edge.Bedrock, edge.StepFunctions, …)
// on the router.
func (c *Cloud) Register(service string, h http.Handler) { c.Router.Register(service, h) }

// Options returns the options the cloud runs with, defaults filled in.
func (c *Cloud) Options() Options { return c.opts }

// Start runs the work queued in the data directory — asynchronous Lambda
// invocations and pending EventBridge deliveries, also those left by an
// earlier process — and everything queued from now on, until ctx is done.
// Register the Lambda handlers first, so queued invocations find them.
func (c *Cloud) Start(ctx context.Context) error {
	if err := c.Lambda.Start(ctx); err != nil {
		return err
	}
	return c.Events.Start(ctx)
}

// Wait blocks until the queued work in progress has finished or stopped
// because the Start context ended.
func (c *Cloud) Wait() {
	c.Events.Wait()
	c.Lambda.Wait()
}

// AWSConfig returns an SDK configuration whose clients reach this cloud in
// the same process, without a network connection, with static
// credentials: s3.NewFromConfig(cloud.AWSConfig()) and the like work as
// against AWS (S3 virtual-host addressing included).
func (c *Cloud) AWSConfig() aws.Config {
	return aws.Config{
		Region:       c.opts.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("LOCALCLOUD", "localcloud", ""),
		HTTPClient:   &http.Client{Transport: awsproto.HandlerTransport{Handler: c.Router}},
		BaseEndpoint: aws.String("http://localhost"),
		// What config.LoadDefaultConfig chooses.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
}

// Serve answers requests on ln until ctx is done, then shuts down,
// letting requests in flight finish for up to five seconds.
func (c *Cloud) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: c.Router, ReadHeaderTimeout: 30 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(shutdown)
		if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		return err
	}
}
