package sfn

import (
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Default region and account of the ARNs the service makes.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// Config configures a Service.
type Config struct {
	// DataDir keeps state machines (statemachines/, one JSON file each) and
	// executions (executions/, the interpreter's FileStore). Default: ""
	// keeps everything in memory, so nothing survives the process.
	DataDir string
	// Region and Account appear in every ARN. Defaults: Engine.Region and
	// Engine.Account when set, else DefaultRegion and DefaultAccount.
	Region  string
	Account string
	// Engine configures the interpreter: Invoker (required for Task
	// states), Clock, SkipWaits, limits. Its Region and Account are set to
	// the service's; its Store defaults to a FileStore under DataDir.
	Engine asl.Options
	// Logger receives notes about restored executions and stored state
	// machines that no longer validate. Default: slog.Default().
	Logger *slog.Logger
	// Events, when set, receives a "Step Functions Execution Status
	// Change" event each time an execution starts or ends, as Step
	// Functions sends to EventBridge.
	Events EventPublisher
}

// Service is the Step Functions API over an asl.Engine. It is safe for
// concurrent use.
type Service struct {
	region  string
	account string
	clock   clock.Clock
	log     *slog.Logger
	engine  *asl.Engine
	durable bool        // the engine has a Store
	dir     *machineDir // nil without a DataDir
	events  EventPublisher
	handler http.Handler

	mu       sync.Mutex
	machines map[string]*machine // by ARN; a *machine is never changed once stored
}

// New builds the service, loads the state machines stored in cfg.DataDir
// and resumes the executions stored there that were still running.
func New(cfg Config) (*Service, error) {
	region, err := pick("Region", cfg.Region, cfg.Engine.Region, DefaultRegion)
	if err != nil {
		return nil, err
	}
	account, err := pick("Account", cfg.Account, cfg.Engine.Account, DefaultAccount)
	if err != nil {
		return nil, err
	}
	s := &Service{
		region: region, account: account, clock: cfg.Engine.Clock, log: cfg.Logger,
		machines: map[string]*machine{}, events: cfg.Events,
	}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	opts := cfg.Engine
	opts.Region, opts.Account, opts.Clock = region, account, s.clock
	if s.events != nil {
		opts.StatusChanged = s.statusChanged
	}
	if cfg.DataDir != "" {
		if s.dir, err = newMachineDir(filepath.Join(cfg.DataDir, "statemachines")); err != nil {
			return nil, err
		}
		if opts.Store == nil {
			if opts.Store, err = asl.NewFileStore(filepath.Join(cfg.DataDir, "executions")); err != nil {
				return nil, err
			}
		}
	}
	s.durable = opts.Store != nil
	s.engine = asl.NewEngine(opts)
	if err := s.loadMachines(); err != nil {
		return nil, err
	}
	if err := s.resume(); err != nil {
		return nil, err
	}
	s.handler = &awsproto.JSONService{TargetPrefix: "AWSStepFunctions", Version: "1.0", Operations: s.operations()}
	return s, nil
}

// pick resolves a setting given both on Config and on Config.Engine.
func pick(field, own, engine, def string) (string, error) {
	switch {
	case own != "" && engine != "" && own != engine:
		return "", fmt.Errorf("sfn: Config.%s %q and Config.Engine.%s %q differ; set only one", field, own, field, engine)
	case own != "":
		return own, nil
	case engine != "":
		return engine, nil
	}
	return def, nil
}

// Handler serves the Step Functions API; register it with the edge router
// under the SigV4 service name "states".
func (s *Service) Handler() http.Handler { return s.handler }

// Engine is the interpreter running the executions, for callers in the
// same process that want to wait for an execution or read its progress.
func (s *Service) Engine() *asl.Engine { return s.engine }

// Close stops every running execution without recording an end, so that a
// new Service over the same data directory resumes them.
func (s *Service) Close() { s.engine.Close() }

func (s *Service) now() time.Time { return s.clock.Now() }

func (s *Service) operations() map[string]awsproto.Operation {
	return map[string]awsproto.Operation{
		"CreateStateMachine":               awsproto.Op(s.createStateMachine),
		"DescribeStateMachine":             awsproto.Op(s.describeStateMachine),
		"ListStateMachines":                awsproto.Op(s.listStateMachines),
		"UpdateStateMachine":               awsproto.Op(s.updateStateMachine),
		"DeleteStateMachine":               awsproto.Op(s.deleteStateMachine),
		"ValidateStateMachineDefinition":   awsproto.Op(s.validateStateMachineDefinition),
		"StartExecution":                   awsproto.Op(s.startExecution),
		"DescribeExecution":                awsproto.Op(s.describeExecution),
		"ListExecutions":                   awsproto.Op(s.listExecutions),
		"StopExecution":                    awsproto.Op(s.stopExecution),
		"GetExecutionHistory":              awsproto.Op(s.getExecutionHistory),
		"DescribeStateMachineForExecution": awsproto.Op(s.describeStateMachineForExecution),
		"SendTaskSuccess":                  awsproto.Op(s.sendTaskSuccess),
		"SendTaskFailure":                  awsproto.Op(s.sendTaskFailure),
		"SendTaskHeartbeat":                awsproto.Op(s.sendTaskHeartbeat),
		"DescribeMapRun":                   awsproto.Op(s.describeMapRun),
		"ListMapRuns":                      awsproto.Op(s.listMapRuns),
	}
}
