package manifest

import "fmt"

// JobPlan says how to spread records over input files, one job per file.
type JobPlan struct {
	Files          int // number of files (and jobs)
	RecordsPerFile int // the most records a file gets; the last may get fewer
}

// PlanJobs spreads records over files of one job each so that no file or
// job breaks a quota of lim, every job has at least lim.MinRecordsPerJob
// records (a remainder is spread, never left to fail alone), and no more
// jobs are made than maxConcurrent can run at once unless the per-job
// quota forces it. recordsPerJob is the size asked for (0: as large as the
// quotas allow); maxRecordsPerJob and maxConcurrent of 0 mean the defaults.
func PlanJobs(records int, lim Limits, recordsPerJob, maxRecordsPerJob, maxConcurrent int) (JobPlan, error) {
	lim = lim.WithDefaults()
	if maxRecordsPerJob <= 0 {
		maxRecordsPerJob = DefaultMaxRecordsPerJob
	}
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrentJobs
	}
	if recordsPerJob < 0 {
		return JobPlan{}, fmt.Errorf("records per job %d: give a positive number, or 0 for as many as the quotas allow", recordsPerJob)
	}
	if records < lim.MinRecordsPerJob {
		return JobPlan{}, errorf("", 0, KindTooFewRecords,
			"the input makes %d records; a batch job needs at least %d: add rows, or run these records on demand", records, lim.MinRecordsPerJob)
	}
	ceiling := min(lim.MaxRecordsPerFile, maxRecordsPerJob)
	if ceiling < lim.MinRecordsPerJob {
		return JobPlan{}, fmt.Errorf("the most records per file or job (%d) is below the least per job (%d): check the quota settings", ceiling, lim.MinRecordsPerJob)
	}
	target := ceiling
	if recordsPerJob > 0 {
		target = min(recordsPerJob, ceiling)
	}
	files := ceilDiv(records, target)
	if files > maxConcurrent {
		// More jobs than can run at once wait in line; larger jobs, up to
		// the quota, finish the same work with fewer.
		files = max(maxConcurrent, ceilDiv(records, ceiling))
	}
	files = max(1, min(files, records/lim.MinRecordsPerJob))
	if per := ceilDiv(records, files); per > ceiling {
		// No cut gives every file at most the ceiling and at least the
		// minimum: the settings contradict each other for this count.
		return JobPlan{}, fmt.Errorf("%d records cannot be cut into files of at most %d records (the most per file and per job: --max-records-per-file %d, --max-records-per-job %d) that each hold at least %d (--min-records-per-job): raise the most per file or lower the least per job",
			records, ceiling, lim.MaxRecordsPerFile, maxRecordsPerJob, lim.MinRecordsPerJob)
	}
	return JobPlan{Files: files, RecordsPerFile: ceilDiv(records, files)}, nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
