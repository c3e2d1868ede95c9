package deploy

import (
	"fmt"
	"strings"
)

// Checker is implemented by a Target that can tell, before anything is
// created, which resources it cannot serve. Deploy checks every resource
// of every stack first and deploys nothing when one is not served, so an
// app never fails halfway through a run for want of a resource.
type Checker interface {
	// Check returns what of r the target does not serve, one line each
	// (an unserved type, a state's integration, a function's runtime);
	// none when it serves r or only records it because that is harmless.
	Check(r *Resolved) []string
}

// Unserved is one resource the target does not serve, with what of it.
type Unserved struct {
	Stack, LogicalID, Type string
	Path                   string // the CDK construct path, when the template has it
	Problems               []string
}

// UnservedError lists every resource of an assembly the target does not
// serve; nothing was deployed.
type UnservedError struct {
	Resources []Unserved
	// Advice says how to proceed; it ends the message. The target's
	// owner sets it.
	Advice string
}

func (e *UnservedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the local cloud does not serve %d resource(s) of this app, so nothing was deployed:", len(e.Resources))
	for _, u := range e.Resources {
		where := u.Stack + "/" + u.LogicalID
		if u.Path != "" {
			where += " (" + u.Path + ")"
		}
		fmt.Fprintf(&b, "\n  %s, %s:", where, u.Type)
		for _, p := range u.Problems {
			fmt.Fprintf(&b, "\n    - %s", p)
		}
	}
	if e.Advice != "" {
		b.WriteString("\n" + e.Advice)
	}
	return b.String()
}

// check resolves every resource of the assembly without creating any
// and asks c about each.
func (d *Deployer) check(a *Assembly, c Checker) error {
	var out []Unserved
	for _, s := range a.Stacks {
		ids, err := order(s)
		if err != nil {
			return fmt.Errorf("deploy stack %s: %w", s.Name, err)
		}
		r := &resolver{env: d.env(), stack: s, resources: map[string]*Resolved{}}
		for _, id := range ids {
			rr, err := r.resource(id)
			if err != nil {
				return fmt.Errorf("deploy stack %s: %w", s.Name, err)
			}
			if rr == nil {
				continue
			}
			if problems := c.Check(rr); len(problems) > 0 {
				path, _ := rr.Metadata["aws:cdk:path"].(string)
				out = append(out, Unserved{Stack: s.Name, LogicalID: id, Type: rr.Type, Path: strings.TrimSuffix(path, "/Resource"), Problems: problems})
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &UnservedError{Resources: out}
}
