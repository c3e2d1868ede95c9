package batch

import "testing"

func TestStatus(t *testing.T) {
	terminal := map[Status]bool{StatusCompleted: true, StatusPartiallyCompleted: true, StatusFailed: true, StatusExpired: true, StatusStopped: true}
	succeeded := map[Status]bool{StatusCompleted: true, StatusPartiallyCompleted: true}
	if len(AllStatuses) != 10 {
		t.Errorf("%d statuses, the service has 10", len(AllStatuses))
	}
	for _, s := range AllStatuses {
		if !s.Valid() {
			t.Errorf("%s is not Valid", s)
		}
		if s.Terminal() != terminal[s] {
			t.Errorf("%s.Terminal() = %v", s, s.Terminal())
		}
		if s.Succeeded() != succeeded[s] {
			t.Errorf("%s.Succeeded() = %v", s, s.Succeeded())
		}
	}
	for _, s := range []Status{"", "completed", "Running"} {
		if s.Valid() || s.Terminal() || s.Succeeded() {
			t.Errorf("unknown status %q is treated as known", s)
		}
	}
}
