package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

type getExecutionHistoryInput struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	ReverseOrder         bool   `json:"reverseOrder"`
	NextToken            string `json:"nextToken"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

type getExecutionHistoryOutput struct {
	Events    []map[string]any `json:"events"`
	NextToken string           `json:"nextToken,omitempty"`
}

// historyPage is the position a GetExecutionHistory token carries: the
// query it belongs to and how many events were returned before.
type historyPage struct {
	Arn     string `json:"a"`
	Reverse bool   `json:"r,omitempty"`
	Offset  int    `json:"o"`
}

func (s *Service) getExecutionHistory(_ context.Context, in *getExecutionHistoryInput) (*getExecutionHistoryOutput, error) {
	if _, err := s.lookupExecution(in.ExecutionArn); err != nil {
		return nil, err
	}
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		var p historyPage
		if err := decodeToken(in.NextToken, &p); err != nil {
			return nil, err
		}
		if p.Arn != in.ExecutionArn || p.Reverse != in.ReverseOrder || p.Offset < 0 {
			return nil, apiError(codeInvalidToken, "Invalid Token: the nextToken belongs to the history of another execution or to the other order; repeat the same request with it")
		}
		offset = p.Offset
	}
	events, err := s.engine.History(in.ExecutionArn)
	if err != nil {
		return nil, engineError(err, in.ExecutionArn)
	}
	if in.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	if offset > len(events) {
		offset = len(events)
	}
	end := min(offset+size, len(events))
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := &getExecutionHistoryOutput{Events: make([]map[string]any, 0, end-offset)}
	for _, ev := range events[offset:end] {
		w, err := wireEvent(ev, withData)
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, w)
	}
	// A running execution's history grows: the last page of it still gets
	// a token only when more events are already there.
	if end < len(events) {
		out.NextToken = encodeToken(historyPage{Arn: in.ExecutionArn, Reverse: in.ReverseOrder, Offset: end})
	}
	return out, nil
}

// dataMembers are the members of event details that carry execution data,
// which includeExecutionData=false leaves out.
var dataMembers = []string{"input", "inputDetails", "output", "outputDetails"}

// wireEvent converts an interpreter event to the API's shape: the same
// member names (asl.HistoryEvent uses them), with the timestamp in epoch
// seconds.
func wireEvent(ev asl.HistoryEvent, withData bool) (map[string]any, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("history event %d: %w", ev.ID, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("history event %d: %w", ev.ID, err)
	}
	m["timestamp"] = epochNumber(ev.Timestamp)
	if !withData {
		for k, v := range m {
			details, ok := v.(map[string]any)
			if !ok || !strings.HasSuffix(k, "EventDetails") {
				continue
			}
			for _, d := range dataMembers {
				delete(details, d)
			}
		}
	}
	return m, nil
}
