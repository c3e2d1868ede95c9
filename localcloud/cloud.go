package localcloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/httpapi"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/runtime"
	"github.com/bedrockbatch/bedrockbatch/localcloud/console"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localcloud/dynamodb"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
	"github.com/bedrockbatch/bedrockbatch/localcloud/events"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
	"github.com/bedrockbatch/bedrockbatch/localcloud/s3"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sfn"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sns"
	"github.com/bedrockbatch/bedrockbatch/localcloud/sqs"
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
	// Models chooses the model backend of each batch job: sim (the
	// default), openai or bedrock, per model id.
	Models backend.Config
	// OnDemand are the Bedrock runtime's quotas per model (InvokeModel and
	// Converse), answered with ThrottlingException when spent. Default:
	// no limit.
	OnDemand runtime.Limits
	// Bedrock tunes the batch engine: quotas, concurrency, pace. Its
	// DataDir, Store, Backends, Events, Clock, Region, Account and Logger
	// are set by the cloud.
	Bedrock bedrock.Config
	// SkipWaits makes Wait states and retry intervals of state machines end
	// at once, without changing results.
	SkipWaits bool
	// Prices gives the console the batch cost of a job's tokens; nil
	// shows no cost. The cloud holds no price table of its own.
	Prices console.Prices
	// Ledger lets the console list an execution's jobs from the
	// construct's job ledger; nil lists none.
	Ledger console.Ledger
	// DropEvents is the share, from 0 to 1, of the events Bedrock
	// publishes that are lost before any rule sees them (1: all), to show
	// how the deployed app copes with lost events.
	DropEvents float64
}

// Cloud is the local cloud: the router and the services it serves.
type Cloud struct {
	Router *edge.Router
	S3     *s3.Server
	Store  *s3.FileStore
	Events *events.Service
	Lambda *lambda.Service
	// Bedrock is the batch engine behind the Bedrock API.
	Bedrock *bedrock.Engine
	// StepFunctions is the Step Functions API over the interpreter.
	StepFunctions *sfn.Service
	// SQS and SNS are the local queues and topics.
	SQS *sqs.Service
	SNS *sns.Service
	// DynamoDB serves tables and items.
	DynamoDB *dynamodb.Service

	opts      Options
	lock      *os.File
	functions *functionRegistry
	ready     chan struct{}
	started   sync.Once

	deadLetters *deadLetters
	endpoint    functionEndpoint
}

// New opens (creating if needed) a local cloud in opts.DataDir and
// registers S3, EventBridge and Lambda on its router. EventBridge delivers
// to Lambda through the Lambda API. Call Start to run queued work.
func New(opts Options) (*Cloud, error) {
	if opts.DataDir == "" {
		opts.DataDir = ".bedrockbatch"
	}
	if opts.Region == "" {
		opts.Region = awsproto.DefaultRegion
	}
	if opts.Account == "" {
		opts.Account = awsproto.DefaultAccount
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DropEvents < 0 || opts.DropEvents > 1 {
		return nil, fmt.Errorf("local cloud: DropEvents %v must be a share from 0 to 1", opts.DropEvents)
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("local cloud data directory: %w", err)
	}
	lock, err := lockDataDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	c, err := open(opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	c.lock = lock
	return c, nil
}

// open builds the services of a cloud whose data directory is locked.
func open(opts Options) (*Cloud, error) {
	c := &Cloud{Router: edge.New(opts.RequestLogger), opts: opts, functions: newFunctionRegistry()}
	c.deadLetters = &deadLetters{c: c}
	store, err := s3.NewFileStore(opts.DataDir)
	if err != nil {
		return nil, err
	}
	c.Store = store
	c.S3 = s3.NewServer(store, s3.Options{Region: opts.Region})
	c.Lambda, err = lambda.New(lambda.Options{
		DataDir: opts.DataDir, Region: opts.Region, Account: opts.Account, Clock: opts.Clock, Logger: opts.Logger,
		HandlerHint: func(fn lambda.Function) string {
			return fmt.Sprintf("deploy it with its code, or register a handler with Cloud.RegisterFunction(%q, handler) before deploying", fn.Name)
		},
		DeadLetter: c.deadLetters.invocation,
		Endpoint:   func() (string, error) { return c.endpoint.url(c.Router) },
	})
	if err != nil {
		return nil, err
	}
	c.Events, err = events.New(events.Options{
		DataDir: opts.DataDir, Region: opts.Region, Account: opts.Account, Clock: opts.Clock, Logger: opts.Logger,
		Deliverer: eventTargets{lambda: events.LambdaDeliverer{Client: awslambda.NewFromConfig(c.AWSConfig())},
			sqs: awssqs.NewFromConfig(c.AWSConfig()), sns: awssns.NewFromConfig(c.AWSConfig())},
		DeadLetter: c.deadLetters.delivery,
	})
	if err != nil {
		return nil, err
	}
	c.Router.Register(edge.S3, c.S3)
	c.Router.Register(edge.Lambda, c.Lambda)
	c.Router.Register(edge.EventBridge, c.Events)
	if err := c.openMessaging(); err != nil {
		return nil, err
	}

	cfg := c.AWSConfig()
	models, err := backend.New(opts.Models)
	if err != nil {
		return nil, fmt.Errorf("model backends: %w", err)
	}
	bc := opts.Bedrock
	bc.DataDir = filepath.Join(opts.DataDir, "bedrock")
	bc.Store = bedrock.NewS3Store(awss3.NewFromConfig(cfg))
	bc.Backends = models.Resolve
	// One count of attempts for batch and on-demand calls: a record retried
	// on demand after failing in a job is its second attempt.
	bc.Attempts = &backend.Attempts{}
	bc.Events = dropEvents(opts.DropEvents, sdkEvents{client: eventbridge.NewFromConfig(cfg)}, opts.Logger)
	bc.Clock, bc.Region, bc.Account, bc.Logger = opts.Clock, opts.Region, opts.Account, opts.Logger
	if c.Bedrock, err = bedrock.New(bc); err != nil {
		return nil, fmt.Errorf("bedrock: %w", err)
	}
	rt, err := runtime.New(runtime.Config{Backends: models.Resolve, Attempts: bc.Attempts, Limits: opts.OnDemand,
		Clock: opts.Clock, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("bedrock runtime: %w", err)
	}
	// The SDKs sign runtime and control plane requests alike for "bedrock".
	c.Register(edge.Bedrock, runtime.Handler(rt, httpapi.NewHandler(c.Bedrock, opts.Logger)))

	c.ready = make(chan struct{})
	c.StepFunctions, err = sfn.New(sfn.Config{
		DataDir: filepath.Join(opts.DataDir, "states"),
		Region:  opts.Region,
		Account: opts.Account,
		Engine: asl.Options{
			Invoker: &asl.LambdaInvoker{
				Functions: sdkLambda{client: awslambda.NewFromConfig(cfg), ready: c.ready},
				Next: serviceTasks{s3: s3Tasks{client: awss3.NewFromConfig(cfg)}, sfn: sfnTasks{client: awssfn.NewFromConfig(cfg)},
					messaging: newMessagingTasks(cfg), bedrock: bedrockTasks{client: bedrockruntime.NewFromConfig(cfg)},
					execution: executionTasks{client: awssfn.NewFromConfig(cfg)}, dynamodb: newDynamoDBTasks(cfg)},
			},
			Clock:     opts.Clock,
			SkipWaits: opts.SkipWaits,
		},
		Logger: opts.Logger,
		Events: sdkStatusEvents{client: eventbridge.NewFromConfig(cfg)},
	})
	if err != nil {
		return nil, fmt.Errorf("step functions: %w", err)
	}
	c.Register(edge.StepFunctions, c.StepFunctions.Handler())
	c.DynamoDB, err = dynamodb.New(dynamodb.Options{
		DataDir: filepath.Join(opts.DataDir, "dynamodb"), Region: opts.Region, Account: opts.Account,
		Clock: opts.Clock, Logger: opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("dynamodb: %w", err)
	}
	c.Register(edge.DynamoDB, c.DynamoDB)
	c.Router.Mount(console.Path, console.New(console.Options{AWS: cfg, Events: c.Events, Invocations: c.Lambda, Prices: opts.Prices, Ledger: opts.Ledger}))
	return c, nil
}

// Deploy deploys a cloud assembly (a cdk.out directory) into the cloud and
// reports what it created; deploying an unchanged assembly changes
// nothing. Deploy again after every restart, before Start, so that the
// functions have their in-process handlers.
func (c *Cloud) Deploy(ctx context.Context, assemblyDir string) (*deploy.Result, error) {
	a, err := deploy.ReadAssembly(assemblyDir)
	if err != nil {
		return nil, err
	}
	cfg := c.AWSConfig()
	d := &deploy.Deployer{
		Env:      deploy.Env{Region: c.opts.Region, Account: c.opts.Account, Partition: "aws"},
		StateDir: filepath.Join(c.opts.DataDir, "deployments"),
		Target: &target{
			c: c, s3: awss3.NewFromConfig(cfg), events: eventbridge.NewFromConfig(cfg),
			sfn: awssfn.NewFromConfig(cfg), dynamodb: awsdynamodb.NewFromConfig(cfg), functions: c.functions,
		},
	}
	res, err := d.Deploy(ctx, a)
	var unserved *deploy.UnservedError
	if errors.As(err, &unserved) {
		unserved.Advice = unservedAdvice
	}
	return res, err
}

// Close stops the batch engine and the interpreter; running jobs and
// executions resume when a cloud opens the same data directory again.
func (c *Cloud) Close() error {
	c.StepFunctions.Close()
	c.Lambda.Close()
	c.endpoint.close()
	err := errors.Join(c.Bedrock.Close(), c.DynamoDB.Close())
	c.lock.Close()
	return err
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
	if err := c.Events.Start(ctx); err != nil {
		return err
	}
	if err := c.Bedrock.Start(); err != nil {
		return err
	}
	c.DynamoDB.Start()
	c.started.Do(func() { close(c.ready) })
	return nil
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
	srv.RegisterOnShutdown(c.SQS.StopPolls)
	c.SQS.SetPublicHost(ln.Addr().String())
	c.SNS.SetPublicHost(ln.Addr().String())
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
