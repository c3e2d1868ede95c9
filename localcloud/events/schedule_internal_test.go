package events

import (
	"testing"
	"time"
)

func TestCronNextTimes(t *testing.T) {
	from := time.Date(2026, 3, 4, 12, 7, 0, 0, time.UTC) // a Wednesday
	cases := []struct {
		expr string
		want []time.Time
	}{
		// EventBridge's day 2 is Monday.
		{"cron(0 12 ? * 2 *)", []time.Time{time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)}},
		{"cron(0/15 * * * ? *)", []time.Time{time.Date(2026, 3, 4, 12, 15, 0, 0, time.UTC), time.Date(2026, 3, 4, 12, 30, 0, 0, time.UTC)}},
		{"rate(10 minutes)", []time.Time{from.Add(10 * time.Minute), from.Add(20 * time.Minute)}},
	}
	for _, c := range cases {
		sc, err := parseSchedule(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		at := from
		for i, want := range c.want {
			at = sc.next(at)
			if !at.Equal(want) {
				t.Errorf("%s: firing %d at %v, want %v", c.expr, i+1, at, want)
			}
		}
	}
}
