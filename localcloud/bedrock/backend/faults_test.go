package backend

import (
	"context"
	"errors"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// TestSimTransientFaultsClearOnRetry: an injected transient fault is drawn
// per record and attempt, so of the records that fail their first attempt
// about the rate fail the second again, and a third run of the same
// attempts fails exactly the same calls. Bedrock writes a failed record as
// an error line with an HTTP-style errorCode (429 throttling, 408 model
// timeout, 500/503 service errors) and does not retry it:
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html
func TestSimTransientFaultsClearOnRetry(t *testing.T) {
	const rate = 0.2
	recs := faultRecords(5000)
	s := newTestSim(t, SimOptions{ErrorRate: rate, ErrorCode: 429})
	id := model.ParseID("amazon.nova-lite-v1:0")
	failsAt := func(body []byte, attempt int) bool {
		_, err := s.Invoke(context.Background(), Request{Model: id, Body: body, Attempt: attempt})
		var re *model.RecordError
		if err != nil && (!errors.As(err, &re) || re.Code != 429) {
			t.Fatalf("attempt %d: %v, want a 429 RecordError", attempt, err)
		}
		if (err != nil) != TransientFault(body, attempt, rate) {
			t.Fatalf("attempt %d failed=%v, TransientFault predicts the opposite", attempt, err != nil)
		}
		return err != nil
	}
	first, again, third := 0, 0, 0
	for _, body := range recs {
		if !failsAt(body, 1) {
			continue
		}
		first++
		if failsAt(body, 2) {
			again++
			if failsAt(body, 3) {
				third++
			}
		}
	}
	// About 1,000 first failures; of them about 200 fail again (σ ≈ 13).
	if first < 850 || first > 1150 {
		t.Fatalf("%d of 5000 first attempts failed at rate %v", first, rate)
	}
	if share := float64(again) / float64(first); share < 0.14 || share > 0.26 {
		t.Errorf("%d of %d failed records failed their retry too (%.2f), want about %v", again, first, share, rate)
	}
	if third >= again {
		t.Errorf("third attempts: %d failures of %d", third, again)
	}
	// Attempt 0 is the first attempt.
	for _, body := range recs[:200] {
		if TransientFault(body, 0, rate) != TransientFault(body, 1, rate) {
			t.Fatal("attempt 0 and attempt 1 draw differently")
		}
	}
}

// TestSimPermanentFaults: a permanent fault fails every attempt of its
// records with 400, the status Bedrock gives a request the model rejects
// (ValidationException), which no retry can fix.
func TestSimPermanentFaults(t *testing.T) {
	const rate = 0.1
	recs := faultRecords(3000)
	s := newTestSim(t, SimOptions{PermanentErrorRate: rate, ErrorRate: 0.5})
	nova := model.ParseID("amazon.nova-lite-v1:0")
	permanent := 0
	for _, body := range recs {
		if !PermanentFault(body, rate) {
			continue
		}
		permanent++
		for attempt := 1; attempt <= 5; attempt++ {
			_, err := s.Invoke(context.Background(), Request{Model: nova, Body: body, Attempt: attempt})
			var re *model.RecordError
			if !errors.As(err, &re) || re.Code != 400 || re.Message != permanentMessage {
				t.Fatalf("attempt %d of a permanently failing record: %v", attempt, err)
			}
		}
	}
	if permanent < 240 || permanent > 360 {
		t.Fatalf("%d of 3000 records fail permanently at rate %v", permanent, rate)
	}
	if _, err := NewSim(SimOptions{PermanentErrorRate: 1.5}); err == nil {
		t.Fatal("a permanent error rate of 1.5 was accepted")
	}
}

func TestAttemptsCount(t *testing.T) {
	var a Attempts
	body := []byte(`{"x":1}`)
	us, base := model.ParseID("us.amazon.nova-lite-v1:0"), model.ParseID("amazon.nova-lite-v1:0")
	if n := a.Next(base, body); n != 1 {
		t.Fatalf("first call is attempt %d", n)
	}
	if n := a.Next(us, body); n != 2 {
		t.Fatalf("the same model through its inference profile is attempt %d, want 2", n)
	}
	if n := a.Next(model.ParseID("amazon.nova-pro-v1:0"), body); n != 1 {
		t.Fatalf("another model's first call is attempt %d", n)
	}
	if n := a.Next(base, []byte(`{"x":2}`)); n != 1 {
		t.Fatalf("another body's first call is attempt %d", n)
	}
}

// BenchmarkAttemptsNext is the per-record cost the batch engine pays to
// number attempts, for a record of the size of the engine benchmark's.
func BenchmarkAttemptsNext(b *testing.B) {
	var a Attempts
	recs := faultRecords(50_000)
	id := model.ParseID("anthropic.claude-3-haiku-20240307-v1:0")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Next(id, recs[i%len(recs)])
		i++
	}
}
