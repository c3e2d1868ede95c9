package main

import (
	"fmt"
	"strings"

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

// changed repeats the quota flags set on the command line, as flags to
// pass on to the next command (" --min-records-per-job 1000", or "").
func (q *quotaFlags) changed(fs *pflag.FlagSet) string {
	var b strings.Builder
	for _, name := range []string{"min-records-per-job", "max-records-per-file", "max-file-bytes", "max-job-bytes"} {
		if f := fs.Lookup(name); f != nil && f.Changed {
			fmt.Fprintf(&b, " --%s %s", name, f.Value.String())
		}
	}
	return b.String()
}
