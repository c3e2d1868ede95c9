package manifest

import (
	"encoding/json"
	"fmt"
	"io"
)

// SummaryName is the name of the file holding a job's Summary, next to its
// output files.
const SummaryName = "manifest.json.out"

// Summary is the content of a job's manifest.json.out: how many records the
// job had, how many it processed, how they ended, and the tokens used.
type Summary struct {
	TotalRecordCount     int64 `json:"totalRecordCount"`
	ProcessedRecordCount int64 `json:"processedRecordCount"`
	SuccessRecordCount   int64 `json:"successRecordCount"`
	ErrorRecordCount     int64 `json:"errorRecordCount"`
	InputTokenCount      int64 `json:"inputTokenCount"`
	OutputTokenCount     int64 `json:"outputTokenCount"`
}

// Add adds o's counts to s, as a total over several jobs.
func (s *Summary) Add(o Summary) {
	s.TotalRecordCount += o.TotalRecordCount
	s.ProcessedRecordCount += o.ProcessedRecordCount
	s.SuccessRecordCount += o.SuccessRecordCount
	s.ErrorRecordCount += o.ErrorRecordCount
	s.InputTokenCount += o.InputTokenCount
	s.OutputTokenCount += o.OutputTokenCount
}

// WriteSummary writes s as manifest.json.out: one JSON object on one line.
func WriteSummary(w io.Writer, s Summary) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadSummary reads a manifest.json.out and checks that its counts add up.
func ReadSummary(r io.Reader) (Summary, error) {
	var s Summary
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	if err := dec.Decode(&s); err != nil {
		return s, errorf(SummaryName, 0, KindOutputMalformed, "cannot read: %v", err)
	}
	if s.SuccessRecordCount+s.ErrorRecordCount != s.ProcessedRecordCount {
		return s, errorf(SummaryName, 0, KindOutputMalformed,
			"successRecordCount %d + errorRecordCount %d differ from processedRecordCount %d",
			s.SuccessRecordCount, s.ErrorRecordCount, s.ProcessedRecordCount)
	}
	if s.ProcessedRecordCount > s.TotalRecordCount {
		return s, errorf(SummaryName, 0, KindOutputMalformed,
			"processedRecordCount %d exceeds totalRecordCount %d", s.ProcessedRecordCount, s.TotalRecordCount)
	}
	return s, nil
}

// String formats the counts for people.
func (s Summary) String() string {
	return fmt.Sprintf("%d of %d records processed: %d succeeded, %d failed; %d input and %d output tokens",
		s.ProcessedRecordCount, s.TotalRecordCount, s.SuccessRecordCount, s.ErrorRecordCount, s.InputTokenCount, s.OutputTokenCount)
}
