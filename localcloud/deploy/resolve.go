package deploy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Env holds the values of the pseudo parameters.
type Env struct {
	Region    string
	Account   string
	Partition string
}

// DefaultEnv is the local cloud's account and region.
var DefaultEnv = Env{Region: awsproto.DefaultRegion, Account: awsproto.DefaultAccount, Partition: "aws"}

// Resolved is one resource with every intrinsic function in its properties
// replaced by a value.
type Resolved struct {
	Stack      string
	LogicalID  string
	Type       string
	PhysicalID string            // what Ref returns
	Attrs      map[string]string // what Fn::GetAtt returns, by attribute
	Properties map[string]any
	Metadata   map[string]any
	// AssetPath is the local directory or file of the resource's CDK asset
	// (for a Lambda function, its code), if it has one.
	AssetPath string
}

// Arn returns the resource's ARN attribute, or its physical id.
func (r *Resolved) Arn() string {
	if a, ok := r.Attrs["Arn"]; ok {
		return a
	}
	return r.PhysicalID
}

// noValue marks a property removed by AWS::NoValue.
type noValue struct{}

type resolver struct {
	env       Env
	stack     *Stack
	resources map[string]*Resolved
}

// order returns the stack's logical ids so that each resource comes after
// everything it references.
func order(s *Stack) ([]string, error) {
	deps := map[string][]string{}
	for id, r := range s.Template.Resources {
		refs := map[string]bool{}
		collectRefs(r.Properties, refs)
		switch d := r.DependsOn.(type) {
		case string:
			refs[d] = true
		case []any:
			for _, x := range d {
				if s, ok := x.(string); ok {
					refs[s] = true
				}
			}
		}
		for ref := range refs {
			if _, ok := s.Template.Resources[ref]; ok && ref != id {
				deps[id] = append(deps[id], ref)
			}
		}
		sort.Strings(deps[id])
	}
	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("stack %s: resources reference each other in a cycle through %s", s.Name, id)
		case 2:
			return nil
		}
		state[id] = 1
		for _, d := range deps[id] {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[id] = 2
		out = append(out, id)
		return nil
	}
	for _, id := range ids {
		if err := visit(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// collectRefs adds every logical id v refers to through Ref, Fn::GetAtt or
// Fn::Sub to refs.
func collectRefs(v any, refs map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if r, ok := x["Ref"].(string); ok {
				refs[r] = true
				return
			}
			if g, ok := x["Fn::GetAtt"]; ok {
				switch a := g.(type) {
				case []any:
					if len(a) > 0 {
						if s, ok := a[0].(string); ok {
							refs[s] = true
						}
					}
				case string:
					refs[strings.SplitN(a, ".", 2)[0]] = true
				}
				return
			}
			if sub, ok := x["Fn::Sub"]; ok {
				var tmpl string
				switch s := sub.(type) {
				case string:
					tmpl = s
				case []any:
					if len(s) > 0 {
						tmpl, _ = s[0].(string)
					}
					if len(s) > 1 {
						collectRefs(s[1], refs)
					}
				}
				for _, name := range subVariables(tmpl) {
					refs[strings.SplitN(name, ".", 2)[0]] = true
				}
				return
			}
		}
		for _, e := range x {
			collectRefs(e, refs)
		}
	case []any:
		for _, e := range x {
			collectRefs(e, refs)
		}
	}
}

// subVariables lists the ${…} names of a Fn::Sub template, skipping ${!…}
// literals.
func subVariables(tmpl string) []string {
	var names []string
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			return names
		}
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			return names
		}
		name := tmpl[i+2 : i+j]
		if !strings.HasPrefix(name, "!") {
			names = append(names, name)
		}
		tmpl = tmpl[i+j+1:]
	}
}

// resolve replaces every intrinsic function in v.
func (r *resolver) resolve(v any, where string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg, where)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.resolve(e, where+"."+k)
			if err != nil {
				return nil, err
			}
			if _, drop := rv.(noValue); drop {
				continue
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.resolve(e, fmt.Sprintf("%s[%d]", where, i))
			if err != nil {
				return nil, err
			}
			if _, drop := rv.(noValue); drop {
				continue
			}
			out = append(out, rv)
		}
		return out, nil
	default:
		return v, nil
	}
}

func (r *resolver) intrinsic(fn string, arg any, where string) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: Ref takes a name, got %v", where, arg)
		}
		return r.ref(name, where)
	case "Fn::GetAtt":
		var id, attr string
		switch a := arg.(type) {
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
		if id == "" || attr == "" {
			return nil, fmt.Errorf("%s: Fn::GetAtt takes [logicalId, attribute], got %v", where, arg)
		}
		return r.getAtt(id, attr, where)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: Fn::Join takes [delimiter, [values]]", where)
		}
		sep, _ := a[0].(string)
		list, err := r.resolve(a[1], where)
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: Fn::Join's second argument is not a list", where)
		}
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = scalarString(it)
		}
		return strings.Join(parts, sep), nil
	case "Fn::Sub":
		var tmpl string
		vars := map[string]any{}
		switch a := arg.(type) {
		case string:
			tmpl = a
		case []any:
			if len(a) != 2 {
				return nil, fmt.Errorf("%s: Fn::Sub takes a string or [string, {variables}]", where)
			}
			tmpl, _ = a[0].(string)
			m, err := r.resolve(a[1], where)
			if err != nil {
				return nil, err
			}
			vars, _ = m.(map[string]any)
		}
		return r.sub(tmpl, vars, where)
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: Fn::Select takes [index, list]", where)
		}
		idx, err := r.resolve(a[0], where)
		if err != nil {
			return nil, err
		}
		list, err := r.resolve(a[1], where)
		if err != nil {
			return nil, err
		}
		items, _ := list.([]any)
		var i int
		switch n := idx.(type) {
		case float64:
			i = int(n)
		case string:
			fmt.Sscanf(n, "%d", &i)
		}
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("%s: Fn::Select index %v out of range of %d items", where, idx, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: Fn::Split takes [delimiter, string]", where)
		}
		sep, _ := a[0].(string)
		s, err := r.resolve(a[1], where)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(scalarString(s), sep) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::GetAZs":
		return []any{r.env.Region + "a", r.env.Region + "b", r.env.Region + "c"}, nil
	case "Fn::If":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, fmt.Errorf("%s: Fn::If takes [condition, then, else]", where)
		}
		name, _ := a[0].(string)
		cond, err := r.condition(name, where)
		if err != nil {
			return nil, err
		}
		if cond {
			return r.resolve(a[1], where)
		}
		return r.resolve(a[2], where)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return r.evalCondition(map[string]any{fn: arg}, where)
	case "Fn::Base64":
		s, err := r.resolve(arg, where)
		if err != nil {
			return nil, err
		}
		return base64String(scalarString(s)), nil
	}
	return nil, fmt.Errorf("%s: %s is not supported by the local cloud's deploy", where, fn)
}

func (r *resolver) ref(name, where string) (any, error) {
	switch name {
	case "AWS::Region":
		return r.env.Region, nil
	case "AWS::AccountId":
		return r.env.Account, nil
	case "AWS::Partition":
		return r.env.Partition, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return r.stack.Name, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/local", r.env.Partition, r.env.Region, r.env.Account, r.stack.Name), nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if p, ok := r.stack.Template.Parameters[name]; ok {
		if p.Default == nil {
			return nil, fmt.Errorf("%s: parameter %s has no default; the local cloud deploys with defaults only", where, name)
		}
		return p.Default, nil
	}
	res, ok := r.resources[name]
	if !ok {
		if _, declared := r.stack.Template.Resources[name]; declared {
			return nil, fmt.Errorf("%s: Ref %s before it was created", where, name)
		}
		return nil, fmt.Errorf("%s: Ref to unknown resource or parameter %q", where, name)
	}
	return res.PhysicalID, nil
}

func (r *resolver) getAtt(id, attr, where string) (any, error) {
	res, ok := r.resources[id]
	if !ok {
		return nil, fmt.Errorf("%s: Fn::GetAtt %s.%s: no such resource", where, id, attr)
	}
	v, ok := res.Attrs[attr]
	if !ok {
		return nil, fmt.Errorf("%s: Fn::GetAtt %s.%s: %s has no attribute %s in the local cloud", where, id, attr, res.Type, attr)
	}
	return v, nil
}

func (r *resolver) sub(tmpl string, vars map[string]any, where string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			return "", fmt.Errorf("%s: Fn::Sub template has an unclosed ${", where)
		}
		b.WriteString(tmpl[:i])
		name := tmpl[i+2 : i+j]
		tmpl = tmpl[i+j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		if v, ok := vars[name]; ok {
			b.WriteString(scalarString(v))
			continue
		}
		var v any
		var err error
		if id, attr, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(id, attr, where)
		} else {
			v, err = r.ref(name, where)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(scalarString(v))
	}
}

func (r *resolver) condition(name, where string) (bool, error) {
	c, ok := r.stack.Template.Conditions[name]
	if !ok {
		return false, fmt.Errorf("%s: unknown condition %q", where, name)
	}
	v, err := r.evalCondition(c, where)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

func (r *resolver) evalCondition(c any, where string) (any, error) {
	m, ok := c.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, fmt.Errorf("%s: condition %v is not a condition function", where, c)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Fn::Equals":
			if len(args) != 2 {
				return nil, fmt.Errorf("%s: Fn::Equals takes two values", where)
			}
			a, err := r.resolve(args[0], where)
			if err != nil {
				return nil, err
			}
			b, err := r.resolve(args[1], where)
			if err != nil {
				return nil, err
			}
			return scalarString(a) == scalarString(b), nil
		case "Fn::Not", "Fn::And", "Fn::Or":
			vals := make([]bool, len(args))
			for i, a := range args {
				v, err := r.conditionValue(a, where)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			switch fn {
			case "Fn::Not":
				return len(vals) == 1 && !vals[0], nil
			case "Fn::And":
				for _, v := range vals {
					if !v {
						return false, nil
					}
				}
				return true, nil
			default:
				for _, v := range vals {
					if v {
						return true, nil
					}
				}
				return false, nil
			}
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name, where)
		}
		return nil, fmt.Errorf("%s: %s is not a condition function", where, fn)
	}
	return nil, nil
}

func (r *resolver) conditionValue(a any, where string) (bool, error) {
	v, err := r.evalCondition(a, where)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprint(x)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// physicalName generates the deterministic name CloudFormation would make
// up for a resource without an explicit name: stack, logical id and a short
// hash, within max characters.
func physicalName(stack, logicalID string, max int, lower bool) string {
	sum := sha256.Sum256([]byte(stack + "/" + logicalID))
	suffix := strings.ToUpper(hex.EncodeToString(sum[:])[:12])
	base := stack + "-" + logicalID
	if keep := max - len(suffix) - 1; len(base) > keep {
		base = base[:keep]
	}
	name := base + "-" + suffix
	if lower {
		name = strings.ToLower(name)
	}
	return name
}

func base64String(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
