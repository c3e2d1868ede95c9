package submit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// maxExecutionNameLen is Step Functions' limit on an execution name.
const maxExecutionNameLen = 80

// executionNameForbidden are the characters Step Functions refuses in an
// execution name, besides whitespace and control characters.
const executionNameForbidden = "<>{}[]?*\"#%\\^|~`$&,;:/"

// CheckExecutionName reports whether Step Functions accepts name for an
// execution.
func CheckExecutionName(name string) error {
	if name == "" || len(name) > maxExecutionNameLen {
		return fmt.Errorf("execution name %q: give 1 to %d characters", name, maxExecutionNameLen)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(executionNameForbidden, r) {
			return fmt.Errorf("execution name %q: %q is not allowed (no whitespace, control characters or any of %s)", name, r, executionNameForbidden)
		}
	}
	return nil
}

// NewExecutionName is a name for an execution started now: the time and a
// random suffix, so that two started in the same second differ.
func NewExecutionName(now time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return "run-" + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// executionInput is the input an execution starts with: the given one, or
// the fragment's input for the uploaded manifests, by their keys or by
// their prefix.
func executionInput(opts Options, keys []string) (json.RawMessage, error) {
	if opts.ExecutionInput != nil {
		if !json.Valid(opts.ExecutionInput) {
			return nil, fmt.Errorf("execution input is not valid JSON")
		}
		return opts.ExecutionInput, nil
	}
	in := batch.FragmentInput{JobName: opts.JobName, ModelID: opts.ModelID, ModelInvocationType: opts.ModelInvocationType}
	if opts.ByPrefix {
		in.ManifestPrefix = opts.Prefix
	} else {
		in.ManifestKeys = keys
	}
	return json.Marshal(in)
}

// SetModelInvocationType sets the jobs' model invocation type once the
// manifests are known (a caller may tell it from their records) and makes
// the execution input again with it; an Options.ExecutionInput is kept as
// it was given.
func (p *Plan) SetModelInvocationType(t string) error {
	if err := batch.ValidModelInvocationType(t); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	p.ModelInvocationType = t
	in, err := executionInput(p.Options, p.Keys())
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	p.Input = in
	return nil
}
