package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"sort"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

type createStateMachineInput struct {
	Name                    string          `json:"name"`
	Definition              string          `json:"definition"`
	RoleArn                 string          `json:"roleArn"`
	Type                    string          `json:"type"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	Tags                    []tag           `json:"tags"`
	Publish                 bool            `json:"publish"`
	VersionDescription      string          `json:"versionDescription"`
}

type createStateMachineOutput struct {
	StateMachineArn string `json:"stateMachineArn"`
	CreationDate    epoch  `json:"creationDate"`
}

func (s *Service) createStateMachine(_ context.Context, in *createStateMachineInput) (*createStateMachineOutput, error) {
	if err := required("name", in.Name != "", "definition", in.Definition != "", "roleArn", in.RoleArn != ""); err != nil {
		return nil, err
	}
	if err := checkRoleArn(in.RoleArn); err != nil {
		return nil, err
	}
	if in.Publish || in.VersionDescription != "" {
		return nil, apiError(codeValidation, "state machine versions are not supported by the local cloud; create the state machine without publish and versionDescription")
	}
	m, _, err := s.create(machineSpec{
		Name: in.Name, Definition: in.Definition, RoleArn: in.RoleArn, Type: in.Type,
		Logging: nonNull(in.LoggingConfiguration), Tracing: nonNull(in.TracingConfiguration),
		Encryption: nonNull(in.EncryptionConfiguration), Tags: in.Tags,
	})
	if err != nil {
		return nil, err
	}
	return &createStateMachineOutput{StateMachineArn: m.Arn, CreationDate: epoch(m.CreationDate)}, nil
}

// required reports the first missing member of (name, present) pairs as
// the service's validation error.
func required(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !pairs[i+1].(bool) {
			return apiError(codeValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", pairs[i])
		}
	}
	return nil
}

type machineArnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	IncludedData    string `json:"includedData"`
}

type describeStateMachineOutput struct {
	StateMachineArn         string          `json:"stateMachineArn"`
	Name                    string          `json:"name"`
	Status                  string          `json:"status,omitempty"`
	Definition              string          `json:"definition"`
	RoleArn                 string          `json:"roleArn"`
	Type                    string          `json:"type,omitempty"`
	CreationDate            epoch           `json:"creationDate,omitzero"`
	UpdateDate              epoch           `json:"updateDate,omitzero"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration,omitempty"`
	RevisionID              string          `json:"revisionId,omitempty"`
}

// describe reports m; the defaults of the configurations are Step
// Functions' own.
func describe(m *machine) *describeStateMachineOutput {
	out := &describeStateMachineOutput{
		StateMachineArn: m.Arn, Name: m.Name, Definition: m.Definition, RoleArn: m.RoleArn,
		LoggingConfiguration: m.Logging, TracingConfiguration: m.Tracing,
		EncryptionConfiguration: m.Encryption, RevisionID: m.RevisionID,
	}
	if out.LoggingConfiguration == nil {
		out.LoggingConfiguration = json.RawMessage(`{"level":"OFF","includeExecutionData":false}`)
	}
	if out.TracingConfiguration == nil {
		out.TracingConfiguration = json.RawMessage(`{"enabled":false}`)
	}
	return out
}

func (s *Service) describeStateMachine(_ context.Context, in *machineArnInput) (*describeStateMachineOutput, error) {
	if err := required("stateMachineArn", in.StateMachineArn != ""); err != nil {
		return nil, err
	}
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	out := describe(m)
	out.Status, out.Type, out.CreationDate = "ACTIVE", m.Type, epoch(m.CreationDate)
	return out, nil
}

type listStateMachinesInput struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
}

type listStateMachinesOutput struct {
	StateMachines []stateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

// machinePage is the position a ListStateMachines token carries: the name
// of the last machine returned.
type machinePage struct {
	After string `json:"after"`
}

func (s *Service) listStateMachines(_ context.Context, in *listStateMachinesInput) (*listStateMachinesOutput, error) {
	size, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	var pos machinePage
	if in.NextToken != "" {
		if err := decodeToken(in.NextToken, &pos); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	list := make([]*machine, 0, len(s.machines))
	for _, m := range s.machines {
		if in.NextToken == "" || m.Name > pos.After {
			list = append(list, m)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := &listStateMachinesOutput{StateMachines: []stateMachineListItem{}}
	for i, m := range list {
		if i == size {
			out.NextToken = encodeToken(machinePage{After: list[i-1].Name})
			break
		}
		out.StateMachines = append(out.StateMachines, stateMachineListItem{
			StateMachineArn: m.Arn, Name: m.Name, Type: m.Type, CreationDate: epoch(m.CreationDate),
		})
	}
	return out, nil
}

type updateStateMachineInput struct {
	StateMachineArn         string          `json:"stateMachineArn"`
	Definition              *string         `json:"definition"`
	RoleArn                 *string         `json:"roleArn"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	Publish                 bool            `json:"publish"`
	VersionDescription      string          `json:"versionDescription"`
}

type updateStateMachineOutput struct {
	UpdateDate epoch  `json:"updateDate"`
	RevisionID string `json:"revisionId,omitempty"`
}

func (s *Service) updateStateMachine(_ context.Context, in *updateStateMachineInput) (*updateStateMachineOutput, error) {
	if err := required("stateMachineArn", in.StateMachineArn != ""); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	u := machineUpdate{
		Definition: in.Definition, RoleArn: in.RoleArn, Logging: nonNull(in.LoggingConfiguration),
		Tracing: nonNull(in.TracingConfiguration), Encryption: nonNull(in.EncryptionConfiguration),
	}
	if u.Definition == nil && u.RoleArn == nil && u.Logging == nil && u.Tracing == nil && u.Encryption == nil {
		return nil, apiError(codeMissingRequired, "Missing Required Parameter: give at least one of definition, roleArn, loggingConfiguration, tracingConfiguration or encryptionConfiguration")
	}
	if u.RoleArn != nil {
		if err := checkRoleArn(*u.RoleArn); err != nil {
			return nil, err
		}
	}
	if in.Publish || in.VersionDescription != "" {
		return nil, apiError(codeValidation, "state machine versions are not supported by the local cloud; update the state machine without publish and versionDescription")
	}
	m, err := s.update(in.StateMachineArn, u)
	if err != nil {
		return nil, err
	}
	return &updateStateMachineOutput{UpdateDate: epoch(m.UpdateDate), RevisionID: m.RevisionID}, nil
}

// deleteStateMachine removes a state machine. Executions already running
// finish; deleting a machine that does not exist succeeds, as in Step
// Functions.
func (s *Service) deleteStateMachine(_ context.Context, in *machineArnInput) (*struct{}, error) {
	if err := required("stateMachineArn", in.StateMachineArn != ""); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		var e *awsproto.Error
		if errors.As(err, &e) && e.Code == codeStateMachineMissing {
			return nil, apiError(codeValidation, "%s", e.Message)
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.machines[in.StateMachineArn]
	if m == nil {
		return &struct{}{}, nil
	}
	if s.dir != nil {
		if err := s.dir.remove(m.Name); err != nil {
			return nil, err
		}
	}
	delete(s.machines, m.Arn)
	return &struct{}{}, nil
}
