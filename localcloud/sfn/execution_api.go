package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

type startExecutionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
}

type startExecutionOutput struct {
	ExecutionArn string `json:"executionArn"`
	StartDate    epoch  `json:"startDate"`
}

func (s *Service) startExecution(_ context.Context, in *startExecutionInput) (*startExecutionOutput, error) {
	if err := required("stateMachineArn", in.StateMachineArn != ""); err != nil {
		return nil, err
	}
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if m.sm == nil {
		return nil, apiError(codeInvalidDefinition, "Invalid State Machine Definition: the stored definition of '%s' no longer validates (%v); fix it with UpdateStateMachine", m.Arn, m.broken)
	}
	name := in.Name
	if name == "" {
		name = newUUID()
	}
	if err := checkName("execution", name); err != nil {
		return nil, err
	}
	input := "{}"
	if in.Input != nil {
		input = *in.Input
	}
	if len(input) > maxDataSize {
		return nil, apiError(codeValidation, "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to %d", maxDataSize)
	}
	canonInput, ok := canonicalJSON(input)
	if !ok {
		return nil, apiError(codeInvalidExecutionInput, "Invalid Execution Input: the input must be a JSON document, got %.100q", input)
	}
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", s.region, s.account, m.Name, name)
	if info, err := s.engine.Describe(arn); err == nil {
		return s.restart(info, canonInput)
	}
	got, err := s.engine.Start(asl.StartInput{StateMachine: m.sm, Name: name, Input: json.RawMessage(input)})
	if errors.Is(err, asl.ErrExecutionAlreadyExists) {
		// Another request started it in the meantime.
		info, derr := s.engine.Describe(arn)
		if derr != nil {
			return nil, engineError(err, arn)
		}
		return s.restart(info, canonInput)
	}
	switch {
	case errors.Is(err, asl.ErrInvalidName):
		return nil, apiError(codeInvalidName, "Invalid Name: '%s': %v", name, err)
	case errors.Is(err, asl.ErrInvalidExecutionInput):
		return nil, apiError(codeInvalidExecutionInput, "Invalid Execution Input: %v", err)
	case err != nil:
		return nil, err
	}
	info, err := s.engine.Describe(got)
	if err != nil {
		return nil, engineError(err, got)
	}
	return &startExecutionOutput{ExecutionArn: got, StartDate: epoch(info.StartDate)}, nil
}

// restart answers a StartExecution for a name already used: the same
// answer as the first time while that execution runs with the same input,
// ExecutionAlreadyExists otherwise, as Step Functions does.
func (s *Service) restart(info asl.ExecutionInfo, canonInput string) (*startExecutionOutput, error) {
	prev, _ := canonicalJSON(string(info.Input))
	if info.Status == asl.StatusRunning && prev == canonInput {
		return &startExecutionOutput{ExecutionArn: info.ExecutionArn, StartDate: epoch(info.StartDate)}, nil
	}
	why := "is closed"
	if info.Status == asl.StatusRunning {
		why = "is running with a different input"
	}
	return nil, apiError(codeExecutionExists, "Execution Already Exists: '%s': the execution %s; execution names cannot be reused, so choose another name", info.ExecutionArn, why)
}

// lookupExecution describes an execution by ARN.
func (s *Service) lookupExecution(arn string) (asl.ExecutionInfo, error) {
	if err := required("executionArn", arn != ""); err != nil {
		return asl.ExecutionInfo{}, err
	}
	if err := checkExecutionArn(arn); err != nil {
		return asl.ExecutionInfo{}, err
	}
	info, err := s.engine.Describe(arn)
	return info, engineError(err, arn)
}

type executionArnInput struct {
	ExecutionArn string `json:"executionArn"`
	IncludedData string `json:"includedData"`
}

type describeExecutionOutput struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          string       `json:"status"`
	StartDate       epoch        `json:"startDate"`
	StopDate        epoch        `json:"stopDate,omitzero"`
	Input           *string      `json:"input,omitempty"`
	InputDetails    *dataDetails `json:"inputDetails,omitempty"`
	Output          *string      `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
	MapRunArn       string       `json:"mapRunArn,omitempty"`
}

// describeExecution reports an execution; includedData METADATA_ONLY
// leaves out its input and output.
func (s *Service) describeExecution(_ context.Context, in *executionArnInput) (*describeExecutionOutput, error) {
	if in.IncludedData != "" && !oneOf(in.IncludedData, "ALL_DATA", "METADATA_ONLY") {
		return nil, apiError(codeValidation, "1 validation error detected: Value '%s' at 'includedData' failed to satisfy constraint: Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]", in.IncludedData)
	}
	info, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	out := &describeExecutionOutput{
		ExecutionArn: info.ExecutionArn, StateMachineArn: info.StateMachineArn, Name: info.Name,
		Status: info.Status, StartDate: epoch(info.StartDate), StopDate: epoch(info.StopDate),
		Error: info.Error, Cause: info.Cause, MapRunArn: info.MapRunArn,
	}
	if in.IncludedData == "METADATA_ONLY" {
		return out, nil
	}
	input := string(info.Input)
	out.Input, out.InputDetails = &input, &dataDetails{Included: true}
	if info.Status == asl.StatusSucceeded {
		o := string(info.Output)
		out.Output, out.OutputDetails = &o, &dataDetails{Included: true}
	}
	return out, nil
}

type listExecutionsInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
	MapRunArn       string `json:"mapRunArn"`
	RedriveFilter   string `json:"redriveFilter"`
}

type executionListItem struct {
	ExecutionArn    string `json:"executionArn"`
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartDate       epoch  `json:"startDate"`
	StopDate        epoch  `json:"stopDate,omitzero"`
}

type listExecutionsOutput struct {
	Executions []executionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

// executionPage is the position a ListExecutions token carries: the query
// it belongs to and the last execution returned.
type executionPage struct {
	Machine string `json:"m"`
	Status  string `json:"s,omitempty"`
	Start   int64  `json:"t"`
	Arn     string `json:"a"`
}

// newerFirst orders executions as ListExecutions returns them: the most
// recently started first, ties by ARN.
func newerFirst(a, b asl.ExecutionInfo) bool {
	if !a.StartDate.Equal(b.StartDate) {
		return a.StartDate.After(b.StartDate)
	}
	return a.ExecutionArn < b.ExecutionArn
}

func (s *Service) listExecutions(_ context.Context, in *listExecutionsInput) (*listExecutionsOutput, error) {
	if in.MapRunArn != "" && in.StateMachineArn != "" {
		return nil, apiError(codeValidation, "Must provide either a StateMachine ARN or a MapRun ARN, not both")
	}
	if in.StateMachineArn == "" && in.MapRunArn == "" {
		return nil, apiError(codeValidation, "Must provide a StateMachine ARN or MapRun ARN")
	}
	if in.StatusFilter != "" && !oneOf(in.StatusFilter, asl.StatusRunning, asl.StatusSucceeded, asl.StatusFailed, asl.StatusTimedOut, asl.StatusAborted, "PENDING_REDRIVE") {
		return nil, apiError(codeValidation, "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]", in.StatusFilter)
	}
	if in.RedriveFilter != "" && !oneOf(in.RedriveFilter, "REDRIVEN", "NOT_REDRIVEN") {
		return nil, apiError(codeValidation, "1 validation error detected: Value '%s' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]", in.RedriveFilter)
	}
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	listing := in.StateMachineArn
	var all []asl.ExecutionInfo
	if in.MapRunArn != "" {
		listing = in.MapRunArn
		if all, err = s.mapRunExecutions(in.MapRunArn); err != nil {
			return nil, err
		}
	} else {
		if _, err := s.lookupMachine(in.StateMachineArn); err != nil {
			return nil, err
		}
		all = s.engine.Executions(in.StateMachineArn)
	}
	var pos *asl.ExecutionInfo
	if in.NextToken != "" {
		var p executionPage
		if err := decodeToken(in.NextToken, &p); err != nil {
			return nil, err
		}
		if p.Machine != listing || p.Status != in.StatusFilter {
			return nil, apiError(codeInvalidToken, "Invalid Token: the nextToken belongs to a listing with another stateMachineArn, mapRunArn or statusFilter; repeat the same request with it")
		}
		pos = &asl.ExecutionInfo{StartDate: time.Unix(0, p.Start), ExecutionArn: p.Arn}
	}
	var list []asl.ExecutionInfo
	for _, x := range all {
		if in.StatusFilter != "" && x.Status != in.StatusFilter {
			continue
		}
		if in.RedriveFilter == "REDRIVEN" {
			continue // executions are never redriven here
		}
		if pos != nil && !newerFirst(*pos, x) {
			continue
		}
		list = append(list, x)
	}
	sort.Slice(list, func(i, j int) bool { return newerFirst(list[i], list[j]) })
	out := &listExecutionsOutput{Executions: []executionListItem{}}
	for i, x := range list {
		if i == size {
			last := list[i-1]
			out.NextToken = encodeToken(executionPage{Machine: listing, Status: in.StatusFilter, Start: last.StartDate.UnixNano(), Arn: last.ExecutionArn})
			break
		}
		out.Executions = append(out.Executions, executionListItem{
			ExecutionArn: x.ExecutionArn, StateMachineArn: x.StateMachineArn, Name: x.Name,
			Status: x.Status, StartDate: epoch(x.StartDate), StopDate: epoch(x.StopDate),
		})
	}
	return out, nil
}

type stopExecutionInput struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

type stopExecutionOutput struct {
	StopDate epoch `json:"stopDate"`
}

// stopExecution aborts a running execution; for one that has ended it
// reports when it ended.
func (s *Service) stopExecution(_ context.Context, in *stopExecutionInput) (*stopExecutionOutput, error) {
	if err := checkErrorCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	if _, err := s.lookupExecution(in.ExecutionArn); err != nil {
		return nil, err
	}
	info, err := s.engine.Stop(in.ExecutionArn, in.Error, in.Cause)
	if err != nil {
		return nil, engineError(err, in.ExecutionArn)
	}
	return &stopExecutionOutput{StopDate: epoch(info.StopDate)}, nil
}

func checkErrorCause(errName, cause string) error {
	if len(errName) > maxErrorLength {
		return apiError(codeValidation, "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to %d", maxErrorLength)
	}
	if len(cause) > maxCauseLength {
		return apiError(codeValidation, "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to %d", maxCauseLength)
	}
	return nil
}

type describeStateMachineForExecutionOutput struct {
	StateMachineArn         string          `json:"stateMachineArn"`
	Name                    string          `json:"name"`
	Definition              string          `json:"definition"`
	RoleArn                 string          `json:"roleArn"`
	UpdateDate              epoch           `json:"updateDate"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration,omitempty"`
	RevisionID              string          `json:"revisionId,omitempty"`
}

// describeStateMachineForExecution reports the version of the state
// machine the execution runs, which an update after its start does not
// change.
func (s *Service) describeStateMachineForExecution(_ context.Context, in *executionArnInput) (*describeStateMachineForExecutionOutput, error) {
	info, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	m := s.machines[info.StateMachineArn]
	s.mu.Unlock()
	if m == nil || !m.runBy(info) {
		m = versionOf(info)
	}
	d := describe(m)
	return &describeStateMachineForExecutionOutput{
		StateMachineArn: d.StateMachineArn, Name: d.Name, Definition: d.Definition, RoleArn: d.RoleArn,
		UpdateDate: epoch(m.UpdateDate), LoggingConfiguration: d.LoggingConfiguration,
		TracingConfiguration: d.TracingConfiguration, EncryptionConfiguration: d.EncryptionConfiguration,
		RevisionID: d.RevisionID,
	}, nil
}
