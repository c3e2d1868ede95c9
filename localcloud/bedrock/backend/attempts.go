package backend

import (
	"sync"

	"github.com/bedrockbatch/bedrockbatch/model"
)

// Attempts counts the calls made for each modelInput of each model, so that
// a record retried — in a later batch job or on demand through the runtime
// API — is its next attempt, as Request.Attempt wants. The batch engine and
// the runtime share one Attempts, so a record that failed in a job and is
// then sent on demand is on its second attempt.
//
// Counts live in memory only: after a restart every record starts again at
// attempt 1. The zero value is ready to use and safe for concurrent use.
type Attempts struct {
	shards [attemptShards]attemptShard
}

const attemptShards = 32

type attemptShard struct {
	mu sync.Mutex
	n  map[uint64]uint32
}

// Next returns the number of this call for body sent to the model id: 1 the
// first time, 2 the second, and so on.
func (a *Attempts) Next(id model.ID, body []byte) int {
	h := mix64(hashString(id.Base()) ^ hashBytes(body))
	s := &a.shards[h%attemptShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[uint64]uint32{}
	}
	s.n[h]++
	return int(s.n[h])
}
