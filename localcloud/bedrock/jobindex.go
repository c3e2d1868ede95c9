package bedrock

import (
	"slices"
	"strings"
	"time"
)

// jobIndex finds jobs without a scan over all of them, so creating,
// listing and quota checks cost the same with a hundred thousand jobs as
// with ten: jobs in submit order, by client token and by name, and the
// unfinished jobs counted per model. Guarded by Engine.mu.
type jobIndex struct {
	// order is every job by (submit time, id), ascending: the listing's
	// order, read from either end.
	order   []*jobState
	byToken map[string]*jobState
	byName  map[string]*jobState
	// active counts each model's submitted and in-progress jobs, the
	// quota's measure.
	active map[string]int
}

func newJobIndex() jobIndex {
	return jobIndex{byToken: map[string]*jobState{}, byName: map[string]*jobState{}, active: map[string]int{}}
}

// add indexes a job.
func (x *jobIndex) add(s *jobState) {
	x.order = slices.Insert(x.order, firstNotBefore(x.order, cursorOf(s.rec.Job)), s)
	j := s.rec.Job
	if j.ClientRequestToken != "" {
		x.byToken[j.ClientRequestToken] = s
	}
	x.byName[j.JobName] = s
	if !j.Status.Terminal() {
		x.active[j.ModelID]++
	}
}

// ended counts a job that reached a terminal status out of its model's
// active jobs.
func (x *jobIndex) ended(j Job) { x.active[j.ModelID]-- }

// cursorLess orders jobs by submit time, then id: the ascending listing.
func cursorLess(a, b listCursor) bool {
	if !a.time.Equal(b.time) {
		return a.time.Before(b.time)
	}
	return a.id < b.id
}

// page walks the jobs in listing order from after the cursor (from the
// start without one) and returns those keep accepts, at most n, and
// whether more jobs follow the last one returned. Jobs submitted at or
// before notAfter (a SubmitTimeAfter filter) are not walked at all.
func (x *jobIndex) page(ascending bool, after *listCursor, notAfter *time.Time, n int, keep func(*jobState) bool) ([]*jobState, bool) {
	var out []*jobState
	if ascending {
		i := 0
		if notAfter != nil {
			// Ids are lower-case letters and digits: "~" sorts after all.
			i = firstNotBefore(x.order, listCursor{time: *notAfter, id: "~"})
		}
		if after != nil {
			i, _ = slices.BinarySearchFunc(x.order, *after, func(o *jobState, c listCursor) int {
				if cursorLess(c, cursorOf(o.rec.Job)) {
					return 1
				}
				return -1
			})
		}
		for ; i < len(x.order); i++ {
			if keep(x.order[i]) {
				if len(out) == n {
					return out, true
				}
				out = append(out, x.order[i])
			}
		}
		return out, false
	}
	i := len(x.order) - 1
	if after != nil {
		i = firstNotBefore(x.order, *after) - 1
	}
	for ; i >= 0; i-- {
		s := x.order[i]
		if notAfter != nil && !s.rec.Job.SubmitTime.After(*notAfter) {
			return out, false
		}
		if keep(s) {
			if len(out) == n {
				return out, true
			}
			out = append(out, s)
		}
	}
	return out, false
}

// firstNotBefore is the index of the first job in order at or after c.
func firstNotBefore(order []*jobState, c listCursor) int {
	i, _ := slices.BinarySearchFunc(order, c, func(o *jobState, c listCursor) int {
		if cursorLess(cursorOf(o.rec.Job), c) {
			return -1
		}
		return 1
	})
	return i
}

// nameMatches is NameContains's test.
func nameMatches(name, part string) bool { return part == "" || strings.Contains(name, part) }
