package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Definition is a parsed state machine, or one branch of a Parallel state, or
// the item processor of a Map state.
type Definition struct {
	Comment        string
	StartAt        string
	States         map[string]*State
	TimeoutSeconds *int64
	Version        string
	QueryLanguage  string
}

// State is one state of a definition. Fields hold the definition's values as
// written; which of them apply depends on Type.
type State struct {
	Name string
	Type string
	// QueryLanguage is the state's effective query language: "JSONPath"
	// or "JSONata".
	QueryLanguage string
	Comment       string
	Next          string
	End           bool

	InputPath      OptionalPath
	OutputPath     OptionalPath
	ResultPath     OptionalPath
	Parameters     any // a payload template; nil when absent
	ResultSelector any
	Result         any
	HasResult      bool

	// Task
	Resource             string
	TimeoutSeconds       *int64
	TimeoutSecondsPath   string
	HeartbeatSeconds     *int64
	HeartbeatSecondsPath string
	Retry                []Retrier
	Catch                []Catcher

	// Choice
	Choices []*ChoiceRule
	Default string

	// Wait
	Seconds       *int64
	Timestamp     string
	SecondsPath   string
	TimestampPath string

	// Fail
	Error     string
	Cause     string
	ErrorPath string
	CausePath string

	// Parallel
	Branches []*Definition

	// Map
	ItemProcessor                  *Definition
	ItemsPath                      OptionalPath
	ItemSelector                   any
	MaxConcurrency                 *int64
	MaxConcurrencyPath             string
	ToleratedFailurePercentage     *float64
	ToleratedFailurePercentagePath string
	ToleratedFailureCount          *int64
	ToleratedFailureCountPath      string
	// Distributed is set for a Map whose ItemProcessor runs in
	// distributed mode.
	Distributed *DistributedMap

	// JSONata mode: Arguments, Output and Items as written (HasOutput tells
	// an absent Output from a null one), the Assign object, and the fields
	// that may hold a "{% expression %}" instead of a literal (Seconds,
	// Timestamp, TimeoutSeconds, HeartbeatSeconds, MaxConcurrency,
	// ToleratedFailureCount, ToleratedFailurePercentage, Error, Cause).
	Arguments    any
	HasArguments bool
	Output       any
	HasOutput    bool
	Items        any
	HasItems     bool
	Assign       map[string]any
	Exprs        map[string]any
}

// Query languages.
const (
	queryJSONPath = "JSONPath"
	queryJSONata  = "JSONata"
)

// OptionalPath is a path field that may be absent (Set false), explicitly
// null (Null true) or a path string.
type OptionalPath struct {
	Set  bool
	Null bool
	Path string
}

// UnmarshalJSON accepts a string or null.
func (p *OptionalPath) UnmarshalJSON(b []byte) error {
	p.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		p.Null = true
		return nil
	}
	return json.Unmarshal(b, &p.Path)
}

// Retrier is one entry of a Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds *int64
	MaxAttempts     *int64
	BackoffRate     *float64
	MaxDelaySeconds *int64
	JitterStrategy  string
}

// Catcher is one entry of a Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  OptionalPath
	// Output and Assign are the JSONata-mode catcher's fields.
	Output    any
	HasOutput bool
	Assign    map[string]any
}

// ChoiceRule is one rule of a Choice state: a comparison on a Variable, or a
// combination (And, Or, Not) of nested rules. Next is set on top-level rules.
type ChoiceRule struct {
	Variable string
	// Operator is the comparison's field name, e.g. "StringEquals" or
	// "NumericLessThanPath"; empty for And/Or/Not.
	Operator string
	Operand  any
	And      []*ChoiceRule
	Or       []*ChoiceRule
	Not      *ChoiceRule
	Next     string
	// Condition, Output and Assign are the JSONata-mode rule's fields.
	Condition any
	Output    any
	HasOutput bool
	Assign    map[string]any
}

// decodeValue decodes JSON keeping numbers as json.Number, so that values
// pass through an execution exactly as written, and recording the order of
// every object's keys.
func decodeValue(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	if _, err := d.Token(); err == nil {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	recordKeyOrders(b, v)
	return v, nil
}
