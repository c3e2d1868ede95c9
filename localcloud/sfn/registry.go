package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// maxDefinitionSize is the API model's limit on a definition (1 MiB).
const maxDefinitionSize = 1 << 20

// machineSpec is what a create or update asks for.
type machineSpec struct {
	Name       string
	Definition string
	RoleArn    string
	Type       string
	Logging    json.RawMessage
	Tracing    json.RawMessage
	Encryption json.RawMessage
	Tags       []tag
}

// CreateOrUpdateStateMachine makes sure a state machine named name runs
// definition, for the deploy step: it creates the machine when it does not
// exist, updates it when its definition or role differs, and otherwise
// leaves it alone (changed is false). Definitions that differ only in
// layout or key order are the same. An empty roleArn keeps the current
// role (or, for a new machine, gives it a default role ARN). Errors are
// *awsproto.Error values whose Code names the API exception
// (InvalidDefinition, InvalidName, InvalidArn).
func (s *Service) CreateOrUpdateStateMachine(ctx context.Context, name, definition, roleArn string) (arn string, changed bool, err error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	if roleArn != "" {
		if err := checkRoleArn(roleArn); err != nil {
			return "", false, err
		}
	}
	if err := checkName("state machine", name); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	old := s.machines[s.machineArn(name)]
	s.mu.Unlock()
	if old == nil {
		m, created, err := s.create(machineSpec{Name: name, Definition: definition, RoleArn: roleArn})
		if err != nil {
			return "", false, err
		}
		return m.Arn, created, nil
	}
	sameDef := sameDefinition(old.Definition, definition)
	if sameDef && (roleArn == "" || roleArn == old.RoleArn) && old.sm != nil {
		return old.Arn, false, nil
	}
	upd := machineUpdate{Definition: &definition}
	if roleArn != "" {
		upd.RoleArn = &roleArn
	}
	m, err := s.update(old.Arn, upd)
	if err != nil {
		return "", false, err
	}
	return m.Arn, true, nil
}

func (s *Service) machineArn(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", s.region, s.account, name)
}

func sameDefinition(a, b string) bool {
	ca, okA := canonicalJSON(a)
	cb, okB := canonicalJSON(b)
	return okA && okB && ca == cb
}

// compile parses m's definition for the engine.
func (s *Service) compile(m *machine) error {
	if len(m.Definition) > maxDefinitionSize {
		return apiError(codeValidation, "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to %d", maxDefinitionSize)
	}
	sm, err := s.engine.NewStateMachine(m.Name, []byte(m.Definition))
	if err != nil {
		msg := err.Error()
		var ve *asl.ValidationError
		if errors.As(err, &ve) {
			msg = strings.Join(ve.Problems, "; ")
		}
		return apiError(codeInvalidDefinition, "Invalid State Machine Definition: '%s'", msg)
	}
	if m.RoleArn == "" {
		m.RoleArn = sm.RoleArn
	}
	sm.RoleArn = m.RoleArn
	sm.Version = m.versionLabel()
	m.sm = sm
	return nil
}

// create adds a state machine. When one with the same name exists with the
// same definition, role and type, it is returned (created is false), as
// CreateStateMachine is idempotent; otherwise the name is taken.
func (s *Service) create(spec machineSpec) (m *machine, created bool, err error) {
	if err := checkName("state machine", spec.Name); err != nil {
		return nil, false, err
	}
	if spec.Type == "" {
		spec.Type = typeStandard
	}
	if spec.Type != typeStandard && spec.Type != typeExpress {
		return nil, false, apiError(codeValidation, "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", spec.Type)
	}
	if err := checkConfigs(spec.Logging, spec.Tracing, spec.Encryption); err != nil {
		return nil, false, err
	}
	now := s.now()
	m = &machine{
		Name: spec.Name, Arn: s.machineArn(spec.Name), RoleArn: spec.RoleArn, Type: spec.Type,
		Definition: spec.Definition, CreationDate: now, UpdateDate: now,
		Logging: spec.Logging, Tracing: spec.Tracing, Encryption: spec.Encryption, Tags: spec.Tags,
	}
	if err := s.compile(m); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.machines[m.Arn]; old != nil {
		if sameDefinition(old.Definition, m.Definition) && old.RoleArn == m.RoleArn && old.Type == m.Type {
			return old, false, nil
		}
		return nil, false, apiError(codeStateMachineExists, "State Machine Already Exists: '%s' with a different definition, role or type; use UpdateStateMachine to change it, or choose another name", m.Arn)
	}
	if err := s.persist(m); err != nil {
		return nil, false, err
	}
	s.machines[m.Arn] = m
	return m, true, nil
}

// machineUpdate lists the fields an update changes (nil: unchanged).
type machineUpdate struct {
	Definition *string
	RoleArn    *string
	Logging    json.RawMessage
	Tracing    json.RawMessage
	Encryption json.RawMessage
}

// update replaces a state machine by a changed copy. Executions already
// running keep the version they started with.
func (s *Service) update(arn string, u machineUpdate) (*machine, error) {
	if err := checkConfigs(u.Logging, u.Tracing, u.Encryption); err != nil {
		return nil, err
	}
	s.mu.Lock()
	old := s.machines[arn]
	s.mu.Unlock()
	if old == nil {
		return nil, machineMissing(arn)
	}
	m := *old
	if u.Definition != nil {
		m.Definition = *u.Definition
	}
	if u.RoleArn != nil {
		m.RoleArn = *u.RoleArn
	}
	if u.Logging != nil {
		m.Logging = u.Logging
	}
	if u.Tracing != nil {
		m.Tracing = u.Tracing
	}
	if u.Encryption != nil {
		m.Encryption = u.Encryption
	}
	m.UpdateDate = s.now()
	m.RevisionID = newUUID()
	if u.Definition != nil || old.sm == nil {
		m.sm, m.broken = nil, nil
		if err := s.compile(&m); err != nil {
			return nil, err
		}
	} else {
		// Running executions share old.sm: the new version gets a copy.
		sm := *old.sm
		sm.RoleArn, sm.Version = m.RoleArn, m.versionLabel()
		m.sm = &sm
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.machines[arn] != old {
		return nil, apiError("ConflictException", "State machine '%s' was changed or deleted by another request while this update ran; retry the update", arn)
	}
	if err := s.persist(&m); err != nil {
		return nil, err
	}
	s.machines[arn] = &m
	return &m, nil
}

// persist saves m when the service has a data directory. Callers hold s.mu.
func (s *Service) persist(m *machine) error {
	if s.dir == nil {
		return nil
	}
	return s.dir.save(m)
}

// lookupMachine finds a state machine by ARN.
func (s *Service) lookupMachine(arn string) (*machine, error) {
	if err := checkMachineArn(arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	m := s.machines[arn]
	s.mu.Unlock()
	if m == nil {
		return nil, machineMissing(arn)
	}
	return m, nil
}

func machineMissing(arn string) error {
	return apiError(codeStateMachineMissing, "State Machine Does Not Exist: '%s'", arn)
}

// checkConfigs validates the logging, tracing and encryption configurations.
// They are recorded and reported back; the local cloud neither logs to
// CloudWatch, traces nor encrypts with KMS.
func checkConfigs(logging, tracing, encryption json.RawMessage) error {
	if len(logging) > 0 {
		var l struct {
			Level *string `json:"level"`
		}
		if err := json.Unmarshal(logging, &l); err != nil {
			return apiError(codeInvalidLoggingConfig, "Invalid Logging Configuration: %v", err)
		}
		if l.Level != nil && !oneOf(*l.Level, "ALL", "ERROR", "FATAL", "OFF") {
			return apiError(codeInvalidLoggingConfig, "Invalid Logging Configuration: level %q must be one of ALL, ERROR, FATAL, OFF", *l.Level)
		}
	}
	if len(tracing) > 0 {
		var t struct {
			Enabled *bool `json:"enabled"`
		}
		if err := json.Unmarshal(tracing, &t); err != nil {
			return apiError(codeInvalidTracingConfig, "Invalid Tracing Configuration: %v", err)
		}
	}
	if len(encryption) > 0 {
		var e struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(encryption, &e); err != nil || !oneOf(e.Type, "AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY") {
			return apiError(codeInvalidEncryptionConfig, "Invalid Encryption Configuration: type must be AWS_OWNED_KEY or CUSTOMER_MANAGED_KMS_KEY")
		}
	}
	return nil
}

func oneOf(s string, list ...string) bool {
	for _, l := range list {
		if s == l {
			return true
		}
	}
	return false
}

// nullJSON reports whether a raw member is absent or null.
func nullJSON(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func nonNull(raw json.RawMessage) json.RawMessage {
	if nullJSON(raw) {
		return nil
	}
	return raw
}
