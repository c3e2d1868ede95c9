package bedrockbatchstepfn

import (
	"fmt"
	"math"

	"github.com/bedrockbatch/bedrockbatch/batch"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Extensions are settings the published construct has no props for. They
// are a Go extension of its API: BedrockBatchSfnProps stays exactly the
// published struct, so code written for the published binding compiles
// unchanged, and NewBedrockBatchSfn uses every default below.
type Extensions struct {
	// How many jobs one execution of the fragment keeps submitted or
	// running at once (the Map state's MaxConcurrency); further manifests
	// wait for a free slot. Bedrock's default quota is 20 submitted plus
	// in-progress batch jobs per model and account, adjustable per account:
	// set this to your quota, or lower when several executions share it.
	// Jobs past the quota are still retried (see BedrockBatchSfn).
	//
	// Must be a whole number of at least 1. Step Functions reads 0 as "no
	// limit", which would start a job for every manifest at once and leave
	// all but the quota's worth retrying, so 0 is refused.
	//
	// Default: 20.
	MaxConcurrency *float64
	// How often the stack's reconciler looks for jobs that ended while
	// their task still waits (a completion event that never arrived) and
	// reports them. A lost event then costs at most this long instead of
	// the task's whole heartbeat timeout. Whole minutes from 1 minute to
	// 24 hours. The reconciler is shared by every fragment of a stack, so
	// fragments of one stack must give the same value.
	//
	// Default: awscdk.Duration_Minutes(jsii.Number(10)).
	ReconcileInterval awscdk.Duration
}

// Defaults of Extensions.
const (
	DefaultMaxConcurrency           = batch.DefaultJobsPerModelQuota
	DefaultReconcileIntervalMinutes = 10
	maxReconcileIntervalMinutes     = 24 * 60
)

// NewBedrockBatchSfnWithExtensions creates the fragment in parent, like
// NewBedrockBatchSfn, with the settings of ext (nil: the defaults). It
// panics with an error naming the setting when one is invalid.
func NewBedrockBatchSfnWithExtensions(parent constructs.Construct, id *string, props *BedrockBatchSfnProps, ext *Extensions) BedrockBatchSfn {
	s := prepare(parent, props, ext)
	f := &bedrockBatchSfn{}
	awsstepfunctions.NewStateMachineFragment_Override(f, parent, id)
	f.build(props, s)
	return f
}

// maxConcurrency validates ext.MaxConcurrency and returns it.
func (ext *Extensions) maxConcurrency() (int, error) {
	if ext == nil || ext.MaxConcurrency == nil {
		return DefaultMaxConcurrency, nil
	}
	n := *ext.MaxConcurrency
	if n < 1 || n != math.Trunc(n) || n > math.MaxInt32 {
		return 0, fmt.Errorf("Extensions.MaxConcurrency must be a whole number of at least 1, got %v; "+
			"it bounds the jobs one execution runs at once (Step Functions would read 0 as no limit)", n)
	}
	return int(n), nil
}

// reconcileMinutes validates ext.ReconcileInterval and returns it in
// minutes.
func (ext *Extensions) reconcileMinutes() (int, error) {
	if ext == nil || ext.ReconcileInterval == nil {
		return DefaultReconcileIntervalMinutes, nil
	}
	secs := *ext.ReconcileInterval.ToSeconds(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
	minutes := secs / 60
	if minutes < 1 || minutes > maxReconcileIntervalMinutes || minutes != math.Trunc(minutes) {
		return 0, fmt.Errorf("Extensions.ReconcileInterval must be a whole number of minutes from 1 minute to 24 hours, got %s; "+
			"EventBridge schedules run at most once a minute", *ext.ReconcileInterval.ToHumanString())
	}
	return int(minutes), nil
}
