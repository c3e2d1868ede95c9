package localcloud_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

func TestDataDirectoryServesOneCloudAtATime(t *testing.T) {
	dir := t.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	first, err := localcloud.New(localcloud.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := localcloud.New(localcloud.Options{DataDir: dir, Logger: quiet}); err == nil || !strings.Contains(err.Error(), "in use by process") {
		t.Fatalf("second cloud on the same directory: err = %v, want it refused naming the process that holds it", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := localcloud.New(localcloud.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatalf("after the first cloud closed: %v", err)
	}
	second.Close()
}
