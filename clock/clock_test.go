package clock

import (
	"testing"
	"time"
)

func TestManualFiresOnlyWhenDue(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewManual(start)
	ch := m.After(time.Hour)
	m.Advance(59 * time.Minute)
	select {
	case <-ch:
		t.Fatal("timer fired before it was due")
	default:
	}
	m.Advance(time.Minute)
	select {
	case got := <-ch:
		if !got.Equal(start.Add(time.Hour)) {
			t.Fatalf("fired at %v, want %v", got, start.Add(time.Hour))
		}
	default:
		t.Fatal("timer did not fire when due")
	}
	if m.Waiters() != 0 {
		t.Fatalf("Waiters = %d after firing, want 0", m.Waiters())
	}
}

func TestScaledCompressesTime(t *testing.T) {
	s := NewScaled(3600)
	before := s.Now()
	<-s.After(time.Hour) // about one wall-clock second
	if elapsed := s.Now().Sub(before); elapsed < time.Hour {
		t.Fatalf("scaled clock advanced %v, want at least 1h", elapsed)
	}
}
