package console

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// stateMachineView is a state machine with its executions, newest first.
type stateMachineView struct {
	Name       string          `json:"name"`
	Arn        string          `json:"arn"`
	Type       string          `json:"type"`
	Created    *time.Time      `json:"created,omitempty"`
	Executions []executionView `json:"executions"`
}

type executionView struct {
	Name   string     `json:"name"`
	Arn    string     `json:"arn"`
	Status string     `json:"status"`
	Start  *time.Time `json:"start,omitempty"`
	Stop   *time.Time `json:"stop,omitempty"`
}

// executions lists every state machine and its executions.
func (h *handler) executions(r *http.Request) (any, error) {
	ctx := r.Context()
	machines := []stateMachineView{}
	pg := awssfn.NewListStateMachinesPaginator(h.sfn, &awssfn.ListStateMachinesInput{})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list state machines: %w", err)
		}
		for _, m := range page.StateMachines {
			execs, err := h.listExecutions(ctx, aws.ToString(m.StateMachineArn))
			if err != nil {
				return nil, err
			}
			machines = append(machines, stateMachineView{
				Name: aws.ToString(m.Name), Arn: aws.ToString(m.StateMachineArn), Type: string(m.Type),
				Created: m.CreationDate, Executions: execs,
			})
		}
	}
	sort.Slice(machines, func(i, j int) bool { return machines[i].Name < machines[j].Name })
	return map[string]any{"stateMachines": machines}, nil
}

func (h *handler) listExecutions(ctx context.Context, machineArn string) ([]executionView, error) {
	execs := []executionView{}
	pg := awssfn.NewListExecutionsPaginator(h.sfn, &awssfn.ListExecutionsInput{StateMachineArn: aws.String(machineArn)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list executions of %s: %w", machineArn, err)
		}
		for _, e := range page.Executions {
			execs = append(execs, executionView{
				Name: aws.ToString(e.Name), Arn: aws.ToString(e.ExecutionArn), Status: string(e.Status),
				Start: e.StartDate, Stop: e.StopDate,
			})
		}
	}
	sort.SliceStable(execs, func(i, j int) bool { return aws.ToTime(execs[i].Start).After(aws.ToTime(execs[j].Start)) })
	return execs, nil
}

// executionDetail is what the execution page draws: the execution, its
// state machine's definition, each state's outcome, the history, and the
// batch jobs the job ledger holds for it.
type executionDetail struct {
	Execution  executionDescription `json:"execution"`
	Definition string               `json:"definition"`
	States     map[string]*stateRun `json:"states"`
	Events     []historyRow         `json:"events"`
	Jobs       []LedgerJob          `json:"jobs"`
}

type executionDescription struct {
	executionView
	StateMachineArn string `json:"stateMachineArn"`
	Input           string `json:"input"`
	Output          string `json:"output,omitempty"`
	Error           string `json:"error,omitempty"`
	Cause           string `json:"cause,omitempty"`
}

// execution describes one execution (?arn=).
func (h *handler) execution(r *http.Request) (any, error) {
	ctx := r.Context()
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		return nil, badRequest("give the execution's ARN as ?arn=")
	}
	desc, err := h.sfn.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describe execution: %w", err)
	}
	def, err := h.sfn.DescribeStateMachineForExecution(ctx, &awssfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describe the execution's state machine: %w", err)
	}
	var history []sfntypes.HistoryEvent
	pg := awssfn.NewGetExecutionHistoryPaginator(h.sfn, &awssfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), MaxResults: 1000,
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get execution history: %w", err)
		}
		history = append(history, page.Events...)
	}
	d := executionDetail{
		Execution: executionDescription{
			executionView: executionView{
				Name: aws.ToString(desc.Name), Arn: arn, Status: string(desc.Status),
				Start: desc.StartDate, Stop: desc.StopDate,
			},
			StateMachineArn: aws.ToString(desc.StateMachineArn),
			Input:           aws.ToString(desc.Input), Output: aws.ToString(desc.Output),
			Error: aws.ToString(desc.Error), Cause: aws.ToString(desc.Cause),
		},
		Definition: aws.ToString(def.Definition),
	}
	d.States, d.Events = stateRuns(history, desc.Status)
	if d.Jobs, err = h.ledgerJobs(ctx, arn); err != nil {
		return nil, err
	}
	return d, nil
}

// stopExecution stops a running execution (?arn=), as StopExecution does.
func (h *handler) stopExecution(r *http.Request) (any, error) {
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		return nil, badRequest("give the execution's ARN as ?arn=")
	}
	out, err := h.sfn.StopExecution(r.Context(), &awssfn.StopExecutionInput{
		ExecutionArn: aws.String(arn), Error: aws.String("Console.Stopped"), Cause: aws.String("stopped from the local cloud's console"),
	})
	if err != nil {
		return nil, fmt.Errorf("stop execution: %w", err)
	}
	return map[string]any{"stopped": out.StopDate}, nil
}
