package manifest

import (
	"errors"
	"strings"
	"testing"
)

func TestPlanJobs(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		records, perJob, maxJob, con int
		lim                          Limits
		files, perFile               int
	}{
		{"one job holds everything", 30_000, 0, 0, 0, Limits{}, 1, 30_000},
		{"records per job asked", 30_000, 1_000, 0, 0, Limits{}, 20, 1_500},
		{"asked size fits the concurrency quota", 10_000, 1_000, 0, 0, Limits{}, 10, 1_000},
		{"per-job quota forces more jobs than run at once", 1_000_000, 0, 0, 5, Limits{}, 20, 50_000},
		{"a remainder below the minimum is spread", 250, 200, 0, 0, Limits{}, 2, 125},
		{"just above the minimum", 150, 100, 0, 0, Limits{}, 1, 150},
		{"file quota below job quota", 120_001, 0, 0, 0, Limits{MaxRecordsPerFile: 60_000}, 3, 40_001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PlanJobs(tc.records, tc.lim, tc.perJob, tc.maxJob, tc.con)
			if err != nil {
				t.Fatal(err)
			}
			if p.Files != tc.files || p.RecordsPerFile != tc.perFile {
				t.Errorf("plan %+v, want %d files of %d", p, tc.files, tc.perFile)
			}
			lim := tc.lim.WithDefaults()
			last := tc.records - (p.Files-1)*p.RecordsPerFile
			if last < lim.MinRecordsPerJob || last > p.RecordsPerFile || p.RecordsPerFile > lim.MaxRecordsPerFile {
				t.Errorf("plan %+v leaves a last file of %d records", p, last)
			}
		})
	}
	_, err := PlanJobs(99, Limits{}, 0, 0, 0)
	var me *Error
	if !errors.As(err, &me) || me.Kind != KindTooFewRecords {
		t.Errorf("99 records: %v", err)
	}
}

// Settings that cannot all hold for a count are an error naming them, not a
// file over the limit: 150 records in files of at most 100 that each hold
// at least 100 (Bedrock's per-job minimum,
// https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html).
func TestPlanJobsContradictorySettings(t *testing.T) {
	_, err := PlanJobs(150, Limits{MaxRecordsPerFile: 100}, 0, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "--max-records-per-file 100") || !strings.Contains(err.Error(), "--min-records-per-job") {
		t.Fatalf("150 records, files ≤ 100, jobs ≥ 100: %v", err)
	}
	p, err := PlanJobs(200, Limits{MaxRecordsPerFile: 100}, 0, 0, 0)
	if err != nil || p.Files != 2 || p.RecordsPerFile != 100 {
		t.Fatalf("200 records fit two files of 100: %+v, %v", p, err)
	}
}
