package sfn

import (
	"context"
	"errors"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// codeResourceNotFound is what DescribeMapRun and ListExecutions answer
// for an unknown Map Run.
const codeResourceNotFound = "ResourceNotFound"

// checkMapRunArn checks the shape of a Map Run ARN:
// arn:aws:states:<region>:<account>:mapRun:<state machine>/<label>:<id>.
func checkMapRunArn(arn string) error {
	typ, rest, ok := arnParts(arn)
	if !ok || typ != "mapRun" || len(rest) != 2 {
		return apiError(codeInvalidArn, "Invalid Arn: '%s': a Map Run ARN looks like arn:aws:states:<region>:<account>:mapRun:<state machine name>/<label>:<id>", arn)
	}
	return nil
}

func mapRunError(err error, arn string) error {
	if errors.Is(err, asl.ErrMapRunDoesNotExist) {
		return apiError(codeResourceNotFound, "Resource not found: '%s'", arn)
	}
	return err
}

// mapRunExecutions lists the child executions of a Map Run.
func (s *Service) mapRunExecutions(arn string) ([]asl.ExecutionInfo, error) {
	if err := checkMapRunArn(arn); err != nil {
		return nil, err
	}
	list, err := s.engine.MapRunExecutions(arn)
	return list, mapRunError(err, arn)
}

type mapRunArnInput struct {
	MapRunArn string `json:"mapRunArn"`
}

type mapRunCounts struct {
	Pending               int64 `json:"pending"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	Failed                int64 `json:"failed"`
	TimedOut              int64 `json:"timedOut"`
	Aborted               int64 `json:"aborted"`
	Total                 int64 `json:"total"`
	ResultsWritten        int64 `json:"resultsWritten"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

func countsOf(c asl.MapRunCounts) mapRunCounts {
	return mapRunCounts{
		Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed, TimedOut: c.TimedOut,
		Aborted: c.Aborted, Total: c.Total, ResultsWritten: c.ResultsWritten,
		FailuresNotRedrivable: c.Failed + c.TimedOut + c.Aborted,
	}
}

type describeMapRunOutput struct {
	MapRunArn                  string       `json:"mapRunArn"`
	ExecutionArn               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  epoch        `json:"startDate"`
	StopDate                   epoch        `json:"stopDate,omitzero"`
	MaxConcurrency             int64        `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 mapRunCounts `json:"itemCounts"`
	ExecutionCounts            mapRunCounts `json:"executionCounts"`
	RedriveCount               int64        `json:"redriveCount"`
}

// describeMapRun reports a distributed Map's Map Run: its status and how
// many child executions (and items) are running, succeeded or failed.
func (s *Service) describeMapRun(_ context.Context, in *mapRunArnInput) (*describeMapRunOutput, error) {
	if err := required("mapRunArn", in.MapRunArn != ""); err != nil {
		return nil, err
	}
	if err := checkMapRunArn(in.MapRunArn); err != nil {
		return nil, err
	}
	r, err := s.engine.DescribeMapRun(in.MapRunArn)
	if err != nil {
		return nil, mapRunError(err, in.MapRunArn)
	}
	return &describeMapRunOutput{
		MapRunArn: r.MapRunArn, ExecutionArn: r.ExecutionArn, Status: r.Status,
		StartDate: epoch(r.StartDate), StopDate: epoch(r.StopDate), MaxConcurrency: r.MaxConcurrency,
		ToleratedFailurePercentage: r.ToleratedFailurePercentage, ToleratedFailureCount: r.ToleratedFailureCount,
		ItemCounts: countsOf(r.ItemCounts), ExecutionCounts: countsOf(r.ExecutionCounts),
	}, nil
}

type listMapRunsInput struct {
	ExecutionArn string `json:"executionArn"`
	MaxResults   int    `json:"maxResults"`
	NextToken    string `json:"nextToken"`
}

type mapRunListItem struct {
	ExecutionArn    string `json:"executionArn"`
	MapRunArn       string `json:"mapRunArn"`
	StateMachineArn string `json:"stateMachineArn"`
	StartDate       epoch  `json:"startDate"`
	StopDate        epoch  `json:"stopDate,omitzero"`
}

type listMapRunsOutput struct {
	MapRuns   []mapRunListItem `json:"mapRuns"`
	NextToken string           `json:"nextToken,omitempty"`
}

// mapRunPage is the position a ListMapRuns token carries.
type mapRunPage struct {
	Execution string `json:"x"`
	Next      int    `json:"n"`
}

// listMapRuns lists the Map Runs an execution started, oldest first.
func (s *Service) listMapRuns(_ context.Context, in *listMapRunsInput) (*listMapRunsOutput, error) {
	info, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	from := 0
	if in.NextToken != "" {
		var p mapRunPage
		if err := decodeToken(in.NextToken, &p); err != nil {
			return nil, err
		}
		if p.Execution != in.ExecutionArn {
			return nil, apiError(codeInvalidToken, "Invalid Token: the nextToken belongs to a listing of another execution; repeat the same request with it")
		}
		from = p.Next
	}
	runs := s.engine.MapRuns(in.ExecutionArn)
	out := &listMapRunsOutput{MapRuns: []mapRunListItem{}}
	for i := from; i < len(runs); i++ {
		if len(out.MapRuns) == size {
			out.NextToken = encodeToken(mapRunPage{Execution: in.ExecutionArn, Next: i})
			break
		}
		r := runs[i]
		out.MapRuns = append(out.MapRuns, mapRunListItem{
			ExecutionArn: r.ExecutionArn, MapRunArn: r.MapRunArn, StateMachineArn: info.StateMachineArn,
			StartDate: epoch(r.StartDate), StopDate: epoch(r.StopDate),
		})
	}
	return out, nil
}
