package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Target creates resources in the local cloud. Apply must be idempotent:
// deploy calls it for every resource on every deployment (a process that
// restarts must register its in-process functions again), and reports a
// resource as changed only when its resolved definition changed.
type Target interface {
	// Apply creates or updates r. It returns ErrUnsupported for a resource
	// type the local cloud only records.
	Apply(ctx context.Context, r *Resolved) error
}

// ErrUnsupported is returned by a Target for a resource type it does not
// create; deploy records such resources and reports them as recorded.
var ErrUnsupported = fmt.Errorf("resource type not run by the local cloud")

// Action says what a deployment did to one resource.
type Action string

// Actions reported per resource.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
	Recorded  Action = "recorded" // kept in the deployment record only (IAM, logs, policies)
)

// Change is one line of a deployment report.
type Change struct {
	Stack      string
	LogicalID  string
	Type       string
	PhysicalID string
	Action     Action
}

// Result is what a deployment did, with the resolved resources and outputs
// of every stack.
type Result struct {
	Changes   []Change
	Resources map[string]map[string]*Resolved // stack → logical id → resource
	Outputs   map[string]map[string]string    // stack → output name → value
}

// Find returns the resources of type typ across all stacks, sorted by stack
// and logical id.
func (r *Result) Find(typ string) []*Resolved {
	var out []*Resolved
	for _, rs := range r.Resources {
		for _, res := range rs {
			if res.Type == typ {
				out = append(out, res)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Stack != out[j].Stack {
			return out[i].Stack < out[j].Stack
		}
		return out[i].LogicalID < out[j].LogicalID
	})
	return out
}

// Deployer deploys cloud assemblies into a Target and keeps a record of
// what it deployed in StateDir.
type Deployer struct {
	Env      Env
	Target   Target
	StateDir string
}

type record struct {
	Resources map[string]string `json:"resources"` // logical id → definition hash
}

// Deploy deploys every stack of the assembly in dependency order.
func (d *Deployer) Deploy(ctx context.Context, a *Assembly) (*Result, error) {
	if c, ok := d.Target.(Checker); ok {
		if err := d.check(a, c); err != nil {
			return nil, err
		}
	}
	res := &Result{Resources: map[string]map[string]*Resolved{}, Outputs: map[string]map[string]string{}}
	for _, s := range a.Stacks {
		if err := d.deployStack(ctx, s, res); err != nil {
			return res, fmt.Errorf("deploy stack %s: %w", s.Name, err)
		}
	}
	return res, nil
}

func (d *Deployer) deployStack(ctx context.Context, s *Stack, res *Result) error {
	env := d.env()
	ids, err := order(s)
	if err != nil {
		return err
	}
	prev := d.loadRecord(s.Name)
	next := record{Resources: map[string]string{}}
	r := &resolver{env: env, stack: s, resources: map[string]*Resolved{}}
	for _, id := range ids {
		rr, err := r.resource(id)
		if err != nil {
			return err
		}
		if rr == nil {
			continue
		}
		tr := s.Template.Resources[id]
		hash := definitionHash(rr)
		next.Resources[id] = hash
		action := Created
		if old, ok := prev.Resources[id]; ok {
			action = Updated
			if old == hash {
				action = Unchanged
			}
		}
		switch err := d.Target.Apply(ctx, rr); {
		case err == ErrUnsupported:
			if action != Unchanged {
				action = Recorded
			}
		case err != nil:
			return fmt.Errorf("%s (%s): %w", id, tr.Type, err)
		}
		res.Changes = append(res.Changes, Change{Stack: s.Name, LogicalID: id, Type: tr.Type, PhysicalID: rr.PhysicalID, Action: action})
	}
	res.Resources[s.Name] = r.resources
	outs := map[string]string{}
	for name, o := range s.Template.Outputs {
		v, err := r.resolve(o.Value, "Outputs."+name)
		if err != nil {
			return err
		}
		outs[name] = scalarString(v)
	}
	res.Outputs[s.Name] = outs
	return d.saveRecord(s.Name, next)
}

// resource resolves the resource id of r's stack and names it; nil when
// its condition leaves it out.
func (r *resolver) resource(id string) (*Resolved, error) {
	s := r.stack
	tr := s.Template.Resources[id]
	if tr.Condition != "" {
		ok, err := r.condition(tr.Condition, id)
		if err != nil || !ok {
			return nil, err
		}
	}
	props, err := r.resolve(tr.Properties, id)
	if err != nil {
		return nil, err
	}
	pm, _ := props.(map[string]any)
	if pm == nil {
		pm = map[string]any{}
	}
	rr := &Resolved{Stack: s.Name, LogicalID: id, Type: tr.Type, Properties: pm, Metadata: tr.Metadata}
	if p, ok := tr.Metadata["aws:asset:path"].(string); ok {
		rr.AssetPath = filepath.Join(s.Dir, p)
	} else {
		rr.AssetPath = codeAsset(s, rr)
	}
	identify(rr, r.env)
	r.resources[id] = rr
	return rr, nil
}

// codeAsset finds the asset of a Lambda function's code by the S3 key the
// CDK gives it, <asset hash>.zip, when the template carries no asset
// metadata (the CDK writes it only when the CLI asks).
func codeAsset(s *Stack, r *Resolved) string {
	if r.Type != "AWS::Lambda::Function" {
		return ""
	}
	code, _ := r.Properties["Code"].(map[string]any)
	key, _ := code["S3Key"].(string)
	return s.Assets[strings.TrimSuffix(key, ".zip")]
}

// definitionHash identifies a resource's resolved definition; asset
// contents are covered by their hash-named paths.
func definitionHash(r *Resolved) string {
	raw, _ := json.Marshal(struct {
		Type  string
		Props map[string]any
		Asset string
	}{r.Type, r.Properties, filepath.Base(r.AssetPath)})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func (d *Deployer) env() Env {
	if d.Env.Region == "" {
		return DefaultEnv
	}
	return d.Env
}

func (d *Deployer) recordPath(stack string) string {
	return filepath.Join(d.StateDir, strings.NewReplacer("/", "_", "\\", "_").Replace(stack)+".json")
}

func (d *Deployer) loadRecord(stack string) record {
	var rec record
	if d.StateDir == "" {
		return rec
	}
	if raw, err := os.ReadFile(d.recordPath(stack)); err == nil {
		_ = json.Unmarshal(raw, &rec)
	}
	return rec
}

func (d *Deployer) saveRecord(stack string, rec record) error {
	if d.StateDir == "" {
		return nil
	}
	if err := os.MkdirAll(d.StateDir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := d.recordPath(stack) + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, d.recordPath(stack))
}
