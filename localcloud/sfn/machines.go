package sfn

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// State machine types.
const (
	typeStandard = "STANDARD"
	typeExpress  = "EXPRESS"
)

// machine is a state machine as the service keeps it and as its JSON file
// under the data directory holds it.
type machine struct {
	Name         string          `json:"name"`
	Arn          string          `json:"stateMachineArn"`
	RoleArn      string          `json:"roleArn"`
	Type         string          `json:"type"`
	Definition   string          `json:"definition"`
	CreationDate time.Time       `json:"creationDate"`
	UpdateDate   time.Time       `json:"updateDate"`
	RevisionID   string          `json:"revisionId,omitempty"`
	Logging      json.RawMessage `json:"loggingConfiguration,omitempty"`
	Tracing      json.RawMessage `json:"tracingConfiguration,omitempty"`
	Encryption   json.RawMessage `json:"encryptionConfiguration,omitempty"`
	Tags         []tag           `json:"tags,omitempty"`

	// sm is the parsed definition executions run; nil when a stored
	// definition no longer passes validation (broken says why).
	sm     *asl.StateMachine
	broken error
}

// versionLabel names this version of the machine for the interpreter,
// which keeps it with each execution (asl.StateMachine.Version): its
// update date and, once updated, its revision.
func (m *machine) versionLabel() string {
	label := m.UpdateDate.UTC().Format(time.RFC3339Nano)
	if m.RevisionID != "" {
		label += "/" + m.RevisionID
	}
	return label
}

// runBy reports whether m is the version the execution runs.
func (m *machine) runBy(info asl.ExecutionInfo) bool {
	if info.StateMachineVersion != "" {
		return info.StateMachineVersion == m.versionLabel()
	}
	return sameDefinition(m.Definition, string(info.Definition)) && m.RoleArn == info.RoleArn
}

// versionOf rebuilds the version of a state machine an execution runs,
// from what the interpreter kept of it, when that version is no longer
// the current one. Configurations that were not kept are left out.
func versionOf(info asl.ExecutionInfo) *machine {
	m := &machine{
		Name: info.StateMachineName, Arn: info.StateMachineArn, RoleArn: info.RoleArn, Type: typeStandard,
		Definition: string(info.Definition), CreationDate: info.StartDate, UpdateDate: info.StartDate,
	}
	date, revision, _ := strings.Cut(info.StateMachineVersion, "/")
	if t, err := time.Parse(time.RFC3339Nano, date); err == nil {
		m.UpdateDate = t
	}
	m.RevisionID = revision
	return m
}

// tag is one resource tag.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// machineDir keeps one JSON file per state machine, written atomically.
type machineDir struct {
	dir string
}

func newMachineDir(dir string) (*machineDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("state machine directory: %w", err)
	}
	return &machineDir{dir: dir}, nil
}

// file names a machine's file; the name is escaped so any valid name maps
// to one plain file.
func (d *machineDir) file(name string) string {
	return filepath.Join(d.dir, url.PathEscape(name)+".json")
}

// save writes m to a temporary file and renames it over the old one, so a
// killed process leaves either the old or the new version.
func (d *machineDir) save(m *machine) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("save state machine %s: %w", m.Name, err)
	}
	tmp, err := os.CreateTemp(d.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("save state machine %s: %w", m.Name, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), d.file(m.Name))
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save state machine %s: %w", m.Name, werr)
	}
	return nil
}

func (d *machineDir) remove(name string) error {
	if err := os.Remove(d.file(name)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("delete state machine %s: %w", name, err)
	}
	return nil
}

// load reads every stored state machine.
func (d *machineDir) load() ([]*machine, error) {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("load state machines: %w", err)
	}
	var out []*machine
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(d.dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load state machines: %w", err)
		}
		m := new(machine)
		if err := json.Unmarshal(b, m); err != nil {
			return nil, fmt.Errorf("load state machine %s: the file is not readable (%v); fix or remove it", path, err)
		}
		out = append(out, m)
	}
	return out, nil
}
