package bedrock

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// Defaults of the engine's settings.
const (
	DefaultMaxJobsPerModel    = manifest.DefaultMaxConcurrentJobs
	DefaultMaxRunningJobs     = 4
	DefaultRecordConcurrency  = 8
	DefaultCheckpointRecords  = 1000
	DefaultCheckpointInterval = time.Second
	DefaultOutputPartBytes    = 8 << 20
	// DefaultSubmittedTime is long enough for a client to read a new job
	// back as Submitted, short enough not to slow a local run.
	DefaultSubmittedTime = 500 * time.Millisecond
)

// Config configures an Engine. DataDir, Store and Backends are required;
// every other zero field takes the default named in its comment.
type Config struct {
	// DataDir holds the jobs' state and progress journals.
	DataDir string
	// Store holds the jobs' input and output objects.
	Store ObjectStore
	// Backends picks the model backend for a job's model id. It is called
	// when a job is created (an error rejects the job with a
	// ValidationException) and again when the job starts running.
	Backends func(id model.ID) (backend.Backend, error)
	// InferenceProfiles are the application inference profiles this
	// Bedrock knows: profile ARN → the model id or cross-region
	// inference profile id it was made from. A job whose modelId is one of
	// them runs on that model's backend, in that model's request format.
	// Default: none; a job naming another application inference profile
	// is refused.
	InferenceProfiles map[string]string
	// Attempts numbers each record's calls (Request.Attempt), so that a
	// record retried in a later job is a later attempt. Share it with the
	// runtime API so that on-demand retries count too. Default: the
	// engine's own.
	Attempts *backend.Attempts
	// Events receives every status change. Default: discarded.
	Events EventSink
	// Clock stamps times and drives the phase delays and expiry.
	// Default: clock.Real.
	Clock clock.Clock
	// Region and Account go into job ARNs and events.
	// Default awsproto.DefaultRegion and DefaultAccount.
	Region, Account string
	// Limits are the input quotas. Zero fields take the service defaults.
	Limits manifest.Limits
	// MaxJobsPerModel is the quota of submitted plus in-progress jobs per
	// model id; CreateJob answers ServiceQuotaExceededException beyond it.
	// Default 20, the service's default quota per base model.
	MaxJobsPerModel int
	// MaxRunningJobs is how many jobs run records at once on this machine;
	// the others wait in Scheduled. Default 4.
	MaxRunningJobs int
	// RecordConcurrency is how many records of one job are in the model
	// backend at once. Default 8.
	RecordConcurrency int
	// StepDelay is the clock time a job spends in each of Submitted,
	// Validating and Scheduled, to imitate the service's pace. Default 0.
	StepDelay time.Duration
	// SubmittedTime is the least clock time a job stays Submitted, so that
	// a GetModelInvocationJob right after CreateModelInvocationJob sees
	// Submitted as on the service, even with no StepDelay. Default
	// DefaultSubmittedTime; negative: none.
	SubmittedTime time.Duration
	// CheckpointRecords and CheckpointInterval bound how much finished work
	// sits in memory: finished records' output is flushed to the file
	// system and noted in the journal after that many records or that much
	// wall time, whichever comes first. Records not yet flushed when the
	// process is killed run again on restart.
	// Default 1000 records and 1 s.
	CheckpointRecords  int
	CheckpointInterval time.Duration
	// OutputPartBytes is how much output a job gathers on disk before it
	// uploads it as a part of the output object: the engine's own files
	// hold at most about this much per running job. Default 8 MiB; at
	// least 5 MiB, S3's smallest part.
	OutputPartBytes int64
	// TagsUnreadableWhenStopped makes ListTagsForResource fail for a job in
	// Stopping or Stopped, as reported of the service (terraform-provider-aws
	// PR #49877 dropped tag support for model invocation jobs because
	// list-tags-for-resource fails for them), to show that the construct
	// does not depend on reading a job's tags. Default false: tags are
	// readable in every status.
	TagsUnreadableWhenStopped bool
	// Logger receives problems that do not fail a job (an event that could
	// not be published). Default: slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Events == nil {
		c.Events = discardEvents{}
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Attempts == nil {
		c.Attempts = &backend.Attempts{}
	}
	if c.Region == "" {
		c.Region = awsproto.DefaultRegion
	}
	if c.Account == "" {
		c.Account = awsproto.DefaultAccount
	}
	c.Limits = c.Limits.WithDefaults()
	if c.MaxJobsPerModel <= 0 {
		c.MaxJobsPerModel = DefaultMaxJobsPerModel
	}
	if c.MaxRunningJobs <= 0 {
		c.MaxRunningJobs = DefaultMaxRunningJobs
	}
	if c.RecordConcurrency <= 0 {
		c.RecordConcurrency = DefaultRecordConcurrency
	}
	if c.SubmittedTime == 0 {
		c.SubmittedTime = DefaultSubmittedTime
	}
	if c.CheckpointRecords <= 0 {
		c.CheckpointRecords = DefaultCheckpointRecords
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = DefaultCheckpointInterval
	}
	if c.OutputPartBytes <= 0 {
		c.OutputPartBytes = DefaultOutputPartBytes
	}
	c.OutputPartBytes = max(c.OutputPartBytes, minPartBytes)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Engine runs model invocation jobs. Its methods are safe for concurrent use.
type Engine struct {
	cfg   Config
	store *jobStore
	slots chan struct{} // one per running job
	// checks holds one token per job reading its input in Validating: as
	// many as run at once, since each holds a few megabytes of lines and
	// the machine's CPUs are busy with any one.
	checks chan struct{}

	mu      sync.Mutex
	jobs    map[string]*jobState // by job id
	index   jobIndex
	started bool
	closed  bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// jobState is the engine's view of one job.
type jobState struct {
	rec jobRecord // guarded by Engine.mu

	// transition serialises status changes of this job, so its state file
	// and its events follow the order of the changes.
	transition sync.Mutex
	// stop cancels the running job with a cause; nil when not running.
	stop context.CancelCauseFunc
	// live counters while records run; folded into rec at checkpoints.
	live     *progress
	running  bool
	finished chan struct{} // closed when the job reaches a terminal status
	// slim is set when the job ended and its tags and input files were
	// dropped from rec (see slimLocked).
	slim bool
}

// progress counts finished records while a job runs.
type progress struct {
	processed, success, errors, inTokens, outTokens atomic.Int64
}

// New opens the engine's data directory and loads the jobs in it. Jobs do
// not run until Start.
func New(cfg Config) (*Engine, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("bedrock engine: Config.DataDir is required")
	}
	if cfg.Store == nil {
		return nil, errors.New("bedrock engine: Config.Store is required")
	}
	if cfg.Backends == nil {
		return nil, errors.New("bedrock engine: Config.Backends is required")
	}
	cfg = cfg.withDefaults()
	js, err := openJobStore(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	recs, err := js.loadAll()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:    cfg,
		store:  js,
		slots:  make(chan struct{}, cfg.MaxRunningJobs),
		checks: make(chan struct{}, cfg.MaxRunningJobs),
		jobs:   make(map[string]*jobState, len(recs)),
		index:  newJobIndex(),
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	for _, r := range recs {
		s := &jobState{rec: r, finished: make(chan struct{})}
		if r.Job.Status.Terminal() {
			close(s.finished)
			s.slimLocked()
		}
		e.jobs[r.ID] = s
		e.index.add(s)
	}
	return e, nil
}

// Start runs every job that is not finished, resuming interrupted ones, and
// lets jobs created from now on run.
func (e *Engine) Start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("bedrock engine: Start after Close")
	}
	if e.started {
		return nil
	}
	e.started = true
	for _, s := range e.jobs {
		if !s.rec.Job.Status.Terminal() {
			e.launchLocked(s)
		}
	}
	return nil
}

// Close stops running jobs where they are (they resume at the next Start on
// the same data directory) and waits for the engine's goroutines to end.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	return nil
}

// launchLocked starts the job's runner. e.mu must be held.
func (e *Engine) launchLocked(s *jobState) {
	if s.running {
		return
	}
	s.running = true
	ctx, stop := context.WithCancelCause(e.ctx)
	s.stop = stop
	if s.rec.Job.Status == batch.StatusStopping {
		stop(errStopRequested)
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.run(ctx, s)
		e.mu.Lock()
		s.running = false
		s.stop = nil
		e.mu.Unlock()
		stop(nil)
	}()
}

// Done returns a channel closed when the job reaches a terminal status, or
// an error if there is no such job. It is meant for tests and for callers
// that wait without polling.
func (e *Engine) Done(jobIdentifier string) (<-chan struct{}, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.lookupLocked(jobIdentifier)
	if err != nil {
		return nil, err
	}
	return s.finished, nil
}

// newJobIDLocked returns a fresh 12-character [a-z0-9] id. e.mu must be held.
func (e *Engine) newJobIDLocked() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for {
		b := make([]byte, 0, 12)
		var r [1]byte
		for len(b) < cap(b) {
			rand.Read(r[:])                                  // never fails (crypto/rand panics instead)
			if int(r[0]) < 256/len(alphabet)*len(alphabet) { // no modulo bias
				b = append(b, alphabet[int(r[0])%len(alphabet)])
			}
		}
		if _, taken := e.jobs[string(b)]; !taken {
			return string(b)
		}
	}
}

// jobArn formats the ARN of a job id.
func (e *Engine) jobArn(id string) string {
	return fmt.Sprintf("arn:aws:bedrock:%s:%s:model-invocation-job/%s", e.cfg.Region, e.cfg.Account, id)
}
