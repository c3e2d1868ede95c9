package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/cost"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/localrun"
)

func newLocalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run the app in a local cloud on this machine: S3, Bedrock, Step Functions, EventBridge, Lambda and DynamoDB in one process",
	}
	cmd.AddCommand(newLocalRunCmd(), newLocalServeCmd())
	return cmd
}

// cloudFlags are the settings shared by the local commands.
type cloudFlags struct {
	dataDir      string
	backend      string
	openaiURL    string
	openaiModel  string
	simErrorRate float64
	simPermanent float64
	onDemandRPM  int
	onDemandTPM  int
	timeScale    float64
	maxJobs      int
	dropEvents   float64
	verbose      bool
	profiles     []string
	faults       []string
	stepDelay    time.Duration
}

// Faults --fault injects into the local cloud, as AWS has been seen to
// behave.
const faultTagsUnreadableWhenStopped = "tags-unreadable-when-stopped"

func (f *cloudFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.dataDir, "data", ".bedrockbatch", "data directory of the local cloud (objects, jobs, executions); kept between runs")
	fs.StringVar(&f.backend, "backend", "", "model backend of batch jobs: sim (simulated, the default), openai (an OpenAI-compatible server) or bedrock (real on-demand Bedrock)")
	fs.StringVar(&f.openaiURL, "openai-url", "", "base URL of the OpenAI-compatible server for --backend openai, e.g. http://127.0.0.1:11434/v1 for Ollama")
	fs.StringVar(&f.openaiModel, "openai-model", "", "server model name that every Bedrock model id maps to, for --backend openai")
	fs.Float64Var(&f.simErrorRate, "sim-error-rate", 0, "fraction of model calls the sim backend fails with a transient error (0 to 1), drawn again on every attempt, to see partially completed jobs and retries")
	fs.Float64Var(&f.simPermanent, "sim-permanent-error-rate", 0, "fraction of records the sim backend fails on every attempt with a 400 validation error (0 to 1), which no retry fixes")
	fs.IntVar(&f.onDemandRPM, "on-demand-rpm", 0, "on-demand quota of the Bedrock runtime (InvokeModel, Converse): requests per minute per model, answered with ThrottlingException beyond it (0: no limit)")
	fs.IntVar(&f.onDemandTPM, "on-demand-tpm", 0, "on-demand quota of the Bedrock runtime: tokens (input plus max tokens) per minute per model (0: no limit)")
	fs.Float64Var(&f.timeScale, "time-scale", 1, "run the cloud's clock this many times faster: with 3600 an hour passes in a second (waits, job timeouts)")
	fs.IntVar(&f.maxJobs, "max-jobs-per-model", 0, "quota of submitted plus in-progress batch jobs per model (default 20)")
	fs.Float64Var(&f.dropEvents, "drop-events", 0, "share (0 to 1) of Bedrock's job events lost before any rule sees them, to watch the reconciler report the jobs (1: all)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "print the services' logs to stderr")
	fs.DurationVar(&f.stepDelay, "step-delay", 0, "cloud time each batch job spends in Submitted, Validating and Scheduled, as the service takes (e.g. 20m; more than a third of the job's timeout makes it end Expired without starting)")
	fs.StringArrayVar(&f.faults, "fault", nil, "make the local cloud misbehave as AWS has been seen to: "+faultTagsUnreadableWhenStopped+
		" (ListTagsForResource fails for jobs in Stopping or Stopped); repeatable")
	fs.StringArrayVar(&f.profiles, "inference-profile", nil, "an application inference profile the local Bedrock knows, as ARN=MODEL: jobs naming the ARN run MODEL (a model id or cross-region profile id); repeatable")
}

// options turns the flags into local cloud options; logs go to w.
func (f *cloudFlags) options(logs io.Writer) (localcloud.Options, error) {
	models, err := backend.ConfigFromEnv(os.Getenv)
	if err != nil {
		return localcloud.Options{}, err
	}
	if f.backend != "" {
		models.Backend = f.backend
	}
	if f.openaiURL != "" {
		models.OpenAI.BaseURL = f.openaiURL
	}
	if f.openaiModel != "" {
		models.OpenAI.Model = f.openaiModel
	}
	if f.simErrorRate < 0 || f.simErrorRate > 1 {
		return localcloud.Options{}, fmt.Errorf("--sim-error-rate %v: give a fraction from 0 to 1", f.simErrorRate)
	}
	if f.simErrorRate > 0 {
		models.Sim.ErrorRate = f.simErrorRate
	}
	if f.simPermanent < 0 || f.simPermanent > 1 {
		return localcloud.Options{}, fmt.Errorf("--sim-permanent-error-rate %v: give a fraction from 0 to 1", f.simPermanent)
	}
	if f.simPermanent > 0 {
		models.Sim.PermanentErrorRate = f.simPermanent
	}
	if f.onDemandRPM < 0 || f.onDemandTPM < 0 {
		return localcloud.Options{}, fmt.Errorf("--on-demand-rpm %d, --on-demand-tpm %d: give 0 (no limit) or a positive quota per minute", f.onDemandRPM, f.onDemandTPM)
	}
	if f.timeScale < 1 {
		return localcloud.Options{}, fmt.Errorf("--time-scale %v: give 1 (real time) or more", f.timeScale)
	}
	if f.dropEvents < 0 || f.dropEvents > 1 {
		return localcloud.Options{}, fmt.Errorf("--drop-events %v: give a share from 0 (none) to 1 (all)", f.dropEvents)
	}
	clk, err := cloudClock(f.dataDir, f.timeScale)
	if err != nil {
		return localcloud.Options{}, err
	}
	if _, real := clk.(clock.Real); !real {
		models.Sim.Clock = clk
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := localcloud.Options{
		DataDir:    f.dataDir,
		Clock:      clk,
		Logger:     logger,
		Models:     models,
		DropEvents: f.dropEvents,
		Prices:     cost.Default(),
		Ledger:     localrun.NewLedgerJobs(),
	}
	opts.Bedrock.MaxJobsPerModel = f.maxJobs
	if f.stepDelay < 0 {
		return localcloud.Options{}, fmt.Errorf("--step-delay %v: give a duration of 0 or more", f.stepDelay)
	}
	opts.Bedrock.StepDelay = f.stepDelay
	for _, fault := range f.faults {
		switch fault {
		case faultTagsUnreadableWhenStopped:
			opts.Bedrock.TagsUnreadableWhenStopped = true
		default:
			return localcloud.Options{}, fmt.Errorf("--fault %q: unknown fault; the local cloud knows %s", fault, faultTagsUnreadableWhenStopped)
		}
	}
	if opts.Bedrock.InferenceProfiles, err = parseProfiles(f.profiles); err != nil {
		return localcloud.Options{}, err
	}
	opts.OnDemand.RequestsPerMinute, opts.OnDemand.TokensPerMinute = f.onDemandRPM, f.onDemandTPM
	return opts, nil
}

// logSink opens where the services' logs go: stderr with -v, else a file in
// the data directory that a failure message can point to.
func (f *cloudFlags) logSink() (io.Writer, string, func(), error) {
	if f.verbose {
		return os.Stderr, "", func() {}, nil
	}
	dir := filepath.Join(f.dataDir, "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", nil, fmt.Errorf("data directory %s: %w", f.dataDir, err)
	}
	path := filepath.Join(dir, "local-"+time.Now().UTC().Format("20060102-150405")+".log")
	file, err := os.Create(path)
	if err != nil {
		return nil, "", nil, err
	}
	return file, path, func() { file.Close() }, nil
}
