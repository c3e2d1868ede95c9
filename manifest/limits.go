package manifest

// Default quotas of Bedrock batch inference, the one table of them in the
// program (https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html).
// They are per-account defaults that AWS raises or lowers per account and
// model, so every one of them is a setting (a field of Limits, an argument
// of PlanJobs, the construct's MaxConcurrency) rather than a fixed rule.
const (
	DefaultMinRecordsPerJob  = 100
	DefaultMaxRecordsPerFile = 50_000
	// DefaultMaxRecordsPerJob is the most records one job may have.
	DefaultMaxRecordsPerJob = 50_000
	DefaultMaxFileBytes     = int64(1) << 30 // 1 GB
	DefaultMaxJobBytes      = int64(5) << 30 // 5 GB
	// DefaultMaxConcurrentJobs is how many jobs per base model may be
	// submitted or in progress at once: the construct's default
	// MaxConcurrency and the local Bedrock's default quota.
	DefaultMaxConcurrentJobs = 20
	// DefaultMaxRecordBytes bounds one line of a manifest. It is not a
	// service quota: it caps the memory a single record may take while a
	// file is read, and is far above what a model accepts in one request.
	DefaultMaxRecordBytes = 32 << 20
)

// Limits are the quotas a batch job's input is checked against. A zero
// field means the service default (see the Default* constants).
type Limits struct {
	// MinRecordsPerJob is the fewest records a job may have across all its
	// input files. Default 100 (some models need 1,000).
	MinRecordsPerJob int
	// MaxRecordsPerFile is the most records one input file may hold.
	// Default 50,000.
	MaxRecordsPerFile int
	// MaxFileBytes is the largest input file. Default 1 GB (2^30 bytes).
	MaxFileBytes int64
	// MaxJobBytes is the largest total size of a job's input files.
	// Default 5 GB (5 × 2^30 bytes).
	MaxJobBytes int64
	// MaxRecordBytes is the longest line a reader accepts. Default 32 MiB.
	MaxRecordBytes int
	// AllowDuplicateRecordIDs turns off the check that record ids are
	// unique within a file. Default false: duplicates are an error, as in
	// the service.
	AllowDuplicateRecordIDs bool
}

// WithDefaults returns l with every zero field set to the service default.
func (l Limits) WithDefaults() Limits {
	if l.MinRecordsPerJob == 0 {
		l.MinRecordsPerJob = DefaultMinRecordsPerJob
	}
	if l.MaxRecordsPerFile == 0 {
		l.MaxRecordsPerFile = DefaultMaxRecordsPerFile
	}
	if l.MaxFileBytes == 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxJobBytes == 0 {
		l.MaxJobBytes = DefaultMaxJobBytes
	}
	if l.MaxRecordBytes == 0 {
		l.MaxRecordBytes = DefaultMaxRecordBytes
	}
	return l
}
