package main

import (
	"github.com/spf13/pflag"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// quotaFlags are Bedrock's batch quotas as settings: they are account
// defaults that AWS raises or lowers per account and model.
type quotaFlags struct {
	minPerJob   int
	maxPerFile  int
	maxFileSize int64
	maxJobSize  int64
}

func (q *quotaFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&q.minPerJob, "min-records-per-job", manifest.DefaultMinRecordsPerJob, "quota: the fewest records a job may have")
	fs.IntVar(&q.maxPerFile, "max-records-per-file", manifest.DefaultMaxRecordsPerFile, "quota: the most records one input file may hold")
	fs.Int64Var(&q.maxFileSize, "max-file-bytes", manifest.DefaultMaxFileBytes, "quota: the largest input file, in bytes")
	fs.Int64Var(&q.maxJobSize, "max-job-bytes", manifest.DefaultMaxJobBytes, "quota: the largest total input of one job, in bytes")
}

func (q *quotaFlags) limits() manifest.Limits {
	return manifest.Limits{MinRecordsPerJob: q.minPerJob, MaxRecordsPerFile: q.maxPerFile, MaxFileBytes: q.maxFileSize, MaxJobBytes: q.maxJobSize}
}
