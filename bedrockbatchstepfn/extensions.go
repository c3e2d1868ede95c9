package bedrockbatchstepfn

import (
	"fmt"
	"math"
	"reflect"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// Extensions are settings the published construct has no props for. They
// are a Go extension of its API: BedrockBatchSfnProps stays exactly the
// published struct, so code written for the published binding compiles
// unchanged, and NewBedrockBatchSfn uses every default below. Every field
// is optional.
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

	// How many entries manifest_keys may have. Above it the fragment fails
	// with BedrockBatch.TooManyManifests before creating any job, since the
	// inline Map could not report the result (see
	// DefaultMaxInlineManifests); larger runs use manifest_prefix. Lower it
	// when bucket names, job names or manifest keys are long. From 1 to
	// 3,000.
	//
	// Default: DefaultMaxInlineManifests (1,000).
	MaxInlineManifests *float64
	// How many manifests of a manifest_prefix run may fail (job Failed,
	// Stopped or Expired, or no job created) before the run stops: the
	// distributed Map's ToleratedFailureCount. With
	// ToleratedFailurePercentage too, the run stops when either is
	// exceeded. The manifest_keys path stops at the first failure.
	//
	// Default: no failure tolerated.
	ToleratedFailureCount *float64
	// Which percentage of the objects under a manifest_prefix may fail
	// before the run stops: the distributed Map's
	// ToleratedFailurePercentage, from 0 to 100.
	//
	// Default: no failure tolerated.
	ToleratedFailurePercentage *float64

	// The customer-managed KMS key Bedrock encrypts the jobs' output with
	// (the job's s3EncryptionKeyId). The Bedrock service role may encrypt,
	// decrypt and generate data keys with it, and so may the state machine
	// when the distributed Map writes its results to the output bucket.
	// Give it also when the output bucket is imported and encrypted by
	// default with a customer-managed key: the construct cannot see that
	// key otherwise. (A bucket created in the app with a KMS key needs
	// nothing here: its key is granted anyway.)
	//
	// Default: Bedrock writes with the output bucket's default encryption.
	OutputEncryptionKey awskms.IKey
	// The customer-managed KMS key an imported input bucket encrypts its
	// objects with: the Bedrock service role may decrypt with it. (A bucket
	// created in the app with a KMS key needs nothing here.)
	//
	// Default: no key grant beyond the bucket's own known key.
	InputEncryptionKey awskms.IKey
	// The subnets and security groups the jobs run in (the job's
	// vpcConfig). The Bedrock service role gets the network-interface
	// permissions AWS documents for batch inference in a VPC, limited to
	// these subnets and security groups.
	//
	// Default: the jobs run outside any VPC.
	Vpc *JobVpcConfig
	// The 12-digit account id that must own the input and output buckets
	// (the job's s3BucketOwner on both data configs). Bedrock then refuses
	// to read or write a bucket of another owner, and the service role's
	// S3 statements are limited to buckets of that account
	// (aws:ResourceAccount). Set it when the buckets belong to another
	// account than the stack.
	//
	// Default: no owner is sent; the S3 statements are limited to the
	// account of each bucket as the app knows it (the stack's, for a
	// bucket imported by name).
	ExpectedBucketOwner *string
	// Tags put on every job of the fragment, for cost allocation. An
	// execution adds its own with job_tags in its input; for a key both
	// give, the execution's value wins. Keys of 1–128 and values of up to
	// 256 letters, digits, white space and ._:/=+@- characters; keys must
	// not start with "aws:", "bedrockbatch:" or "TaskToken:", and there
	// may be at most 198 (a job has at most 200 tags; the construct sets
	// two itself: the original name and the execution).
	//
	// Default: none.
	JobTags *map[string]*string
}

// JobVpcConfig names the subnets and security groups of Extensions.Vpc.
type JobVpcConfig struct {
	// Ids of 1 to 16 subnets (subnet-…). AWS recommends one in each
	// Availability Zone.
	SubnetIds *[]*string
	// Ids of 1 to 5 security groups (sg-…).
	SecurityGroupIds *[]*string
}

// Defaults of Extensions.
const (
	DefaultMaxConcurrency           = manifest.DefaultMaxConcurrentJobs
	DefaultReconcileIntervalMinutes = 10
	maxReconcileIntervalMinutes     = 24 * 60
)

// NewBedrockBatchSfnWithExtensions creates the fragment in parent, like
// NewBedrockBatchSfn, with the settings of ext (nil: the defaults). It
// panics, as CDK constructors do, with an error naming the setting that is
// out of range.
func NewBedrockBatchSfnWithExtensions(parent constructs.Construct, id *string, props *BedrockBatchSfnProps, ext *Extensions) BedrockBatchSfn {
	s := prepare(parent, props, ext)
	f := &bedrockBatchSfn{}
	newFragmentOverride(f, parent, id)
	f.build(props, ext, s)
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

// maxInlineManifests is MaxInlineManifests or its default.
func (e *Extensions) maxInlineManifests() int {
	if e == nil || e.MaxInlineManifests == nil {
		return DefaultMaxInlineManifests
	}
	return int(*e.MaxInlineManifests)
}

func (e *Extensions) toleratedCount() *float64 {
	if e == nil {
		return nil
	}
	return e.ToleratedFailureCount
}

func (e *Extensions) toleratedPercentage() *float64 {
	if e == nil {
		return nil
	}
	return e.ToleratedFailurePercentage
}

// validate checks the settings' ranges.
func (e *Extensions) validate() error {
	if e == nil {
		return nil
	}
	whole := func(v float64) bool { return v == math.Trunc(v) }
	if v := e.MaxInlineManifests; v != nil && (*v < 1 || *v > maxInlineManifestsLimit || !whole(*v)) {
		return fmt.Errorf("Extensions.MaxInlineManifests must be a whole number from 1 to %d, got %v; "+
			"past %d manifests an inline Map's history nears Step Functions' 25,000 events: use manifest_prefix for more",
			maxInlineManifestsLimit, *v, maxInlineManifestsLimit)
	}
	if v := e.ToleratedFailureCount; v != nil && (*v < 0 || !whole(*v)) {
		return fmt.Errorf("Extensions.ToleratedFailureCount must be a whole number of 0 or more, got %v", *v)
	}
	if v := e.ToleratedFailurePercentage; v != nil && (*v < 0 || *v > 100) {
		return fmt.Errorf("Extensions.ToleratedFailurePercentage must be from 0 to 100, got %v", *v)
	}
	return e.validateAccountSettings()
}

// AddCatch attaches a catcher to every state of the fragment that fails
// when jobs fail: the inline Map, the distributed Map of the
// manifest_prefix path and the state that summarizes its run. The
// published pattern of catching on the Map among EndStates reaches only
// the inline Map, since the distributed Map is followed by its summary
// state. props as for Map.AddCatch (nil: every error, ResultPath $).
func AddCatch(f BedrockBatchSfn, handler awsstepfunctions.IChainable, props *awsstepfunctions.CatchProps) {
	b := fragmentOf(f)
	if b == nil {
		panic(fmt.Errorf("bedrockbatchstepfn.AddCatch: %T is not a fragment made by NewBedrockBatchSfn", f))
	}
	b.batchMap.AddCatch(handler, props)
	b.prefix.dmap.AddCatch(handler, props)
	if b.prefix.summary != nil {
		b.prefix.summary.AddCatch(handler, props)
	}
}

// fragmentOf finds the fragment in f: f itself, or the BedrockBatchSfn a
// subclass made with NewBedrockBatchSfn_Override embeds.
func fragmentOf(f BedrockBatchSfn) *bedrockBatchSfn {
	if b, ok := f.(*bedrockBatchSfn); ok {
		return b
	}
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	field := v.Elem().FieldByName("BedrockBatchSfn")
	if !field.IsValid() || field.IsNil() {
		return nil
	}
	inner, ok := field.Interface().(BedrockBatchSfn)
	if !ok {
		return nil
	}
	return fragmentOf(inner)
}
