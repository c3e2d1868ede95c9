package prepare_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

// A record id repeated in rows that land in different manifests is found
// before any manifest is written: Bedrock refuses a repeated recordId in a
// job's input, and results could not tell the two apart
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html).
func TestPrepareRepeatedIDAcrossFilesWritesNothing(t *testing.T) {
	in := writeCSV(t, 300, func(i int) string {
		id := fmt.Sprintf("r%d", i)
		if i == 250 {
			id = "r5"
		}
		return fmt.Sprintf("%s,Review %d,summary", id, i)
	})
	out := t.TempDir()
	_, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, IDColumn: "id", RecordsPerJob: 100, Out: out,
		Templates: []prepare.Template{{Text: "{{.text}}"}}})
	if err == nil || !strings.Contains(err.Error(), `"r5" appears more than once`) {
		t.Fatalf("repeated id across files: %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed prepare left %d files in the output", len(entries))
	}
}

// When the files are cut and one comes out below the per-job minimum, the
// ones written before it are not left behind.
func TestPrepareFailingAfterWritingLeavesNothing(t *testing.T) {
	in := writeCSV(t, 400, func(i int) string {
		text := "short"
		if i > 300 {
			text = strings.Repeat("long ", 2400)
		}
		return fmt.Sprintf("r%d,%s,summary", i, text)
	})
	out := t.TempDir()
	res, err := prepare.Run(context.Background(), prepare.Options{Input: in, ModelID: haiku, Out: out,
		Templates: []prepare.Template{{Text: "{{.text}}"}}, Limits: manifestLimitsSmallFiles()})
	if err == nil || !strings.Contains(err.Error(), "below the 100 a job needs") {
		t.Fatalf("%d files, error %v: want the short last file refused", len(res.Files), err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("error %v left %d files in the output", err, len(entries))
	}
}

// manifestLimitsSmallFiles makes files of at most 1 MiB, so that 100 long
// records fill a file and the cut by bytes leaves a short last one.
func manifestLimitsSmallFiles() manifest.Limits {
	return manifest.Limits{MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}
}
