package events

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/recent"
)

// ServeHTTP serves EventBridge's awsJson1.1 API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.api().ServeHTTP(w, r)
}

func (s *Service) api() *awsproto.JSONService {
	return &awsproto.JSONService{
		TargetPrefix: "AWSEvents",
		Version:      "1.1",
		Operations: map[string]awsproto.Operation{
			"PutRule":           awsproto.Op(s.putRule),
			"DescribeRule":      awsproto.Op(s.describeRule),
			"ListRules":         awsproto.Op(s.listRules),
			"DeleteRule":        awsproto.Op(s.deleteRule),
			"EnableRule":        awsproto.Op(s.enableRule),
			"DisableRule":       awsproto.Op(s.disableRule),
			"PutTargets":        awsproto.Op(s.putTargets),
			"RemoveTargets":     awsproto.Op(s.removeTargets),
			"ListTargetsByRule": awsproto.Op(s.listTargetsByRule),
			"PutEvents":         awsproto.Op(s.putEvents),
			"TestEventPattern":  awsproto.Op(s.testEventPattern),
			"DescribeEventBus":  awsproto.Op(s.describeEventBus),
			"ListEventBuses":    awsproto.Op(s.listEventBuses),
			"CreateEventBus":    awsproto.Op(s.createEventBus),
			"DeleteEventBus":    awsproto.Op(s.deleteEventBus),
		},
	}
}

func validation(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

func notFound(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "ResourceNotFoundException", format, args...)
}

var ruleName = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// --- rules ---

type putRuleInput struct {
	Name               string
	EventPattern       string
	ScheduleExpression string
	State              string
	Description        string
	RoleArn            string
	EventBusName       string
}

type putRuleOutput struct {
	RuleArn string
}

func (s *Service) putRule(_ context.Context, in *putRuleInput) (*putRuleOutput, error) {
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if !ruleName.MatchString(in.Name) {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length between 1 and 64 and match [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	var p *Pattern
	if in.EventPattern != "" {
		var err error
		if p, err = ParsePattern(in.EventPattern); err != nil {
			return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidEventPatternException", "%v", err)
		}
	}
	var sched *schedule
	if in.ScheduleExpression != "" {
		var err error
		if sched, err = parseSchedule(in.ScheduleExpression); err != nil {
			return nil, validation("Parameter ScheduleExpression is not valid: %v", err)
		}
	}
	state := in.State
	switch state {
	case "":
		state = Enabled
	case Enabled, Disabled:
	default:
		return nil, validation("State %q must be ENABLED or DISABLED", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bus := busOf(in.EventBusName)
	r, ok := s.rules[in.Name]
	if !ok {
		r = &Rule{Name: in.Name, Arn: s.ruleArn(in.Name), Bus: bus}
		if bus != "" {
			r.Arn = fmt.Sprintf("arn:aws:events:%s:%s:rule/%s/%s", s.opts.Region, s.opts.Account, bus, in.Name)
		}
	} else if r.Bus != bus {
		return nil, validation("A rule named %s exists on event bus %s; the local cloud keeps rule names unique across buses, so give this one another name", in.Name, busLabel(r.Bus))
	}
	next := *r
	next.EventPattern, next.pattern, next.State, next.Description, next.RoleArn = in.EventPattern, p, state, in.Description, in.RoleArn
	next.ScheduleExpression, next.schedule = in.ScheduleExpression, sched
	if err := s.commitRule(&next); err != nil {
		return nil, err
	}
	s.scheduleLocked(&next)
	return &putRuleOutput{RuleArn: next.Arn}, nil
}

// commitRule stores r (replacing the rule of that name) and persists the
// rules; on failure the old state stays. The caller holds s.mu.
func (s *Service) commitRule(r *Rule) error {
	old, had := s.rules[r.Name]
	s.rules[r.Name] = r
	if err := s.saveRules(); err != nil {
		if had {
			s.rules[r.Name] = old
		} else {
			delete(s.rules, r.Name)
		}
		return fmt.Errorf("save the rules: %w", err)
	}
	return nil
}

type ruleRef struct {
	Name         string
	EventBusName string
}

type describeRuleOutput struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	EventBusName       string
	CreatedBy          string
}

func (s *Service) rule(in ruleRef) (*Rule, error) {
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	r, ok := s.rules[in.Name]
	if !ok || r.Bus != busOf(in.EventBusName) {
		return nil, notFound("Rule %s does not exist on EventBus %s.", in.Name, busLabel(busOf(in.EventBusName)))
	}
	return r, nil
}

func (s *Service) describe(r *Rule) describeRuleOutput {
	return describeRuleOutput{
		Name: r.Name, Arn: r.Arn, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description,
		RoleArn: r.RoleArn, EventBusName: busLabel(r.Bus), CreatedBy: s.opts.Account,
	}
}

func (s *Service) describeRule(_ context.Context, in *ruleRef) (*describeRuleOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.rule(*in)
	if err != nil {
		return nil, err
	}
	out := s.describe(r)
	return &out, nil
}

type listRulesInput struct {
	NamePrefix   string
	EventBusName string
	NextToken    string
	Limit        int
}

type listRulesOutput struct {
	Rules     []describeRuleOutput
	NextToken string `json:",omitempty"`
}

func (s *Service) listRules(_ context.Context, in *listRulesInput) (*listRulesOutput, error) {
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for _, r := range s.sortedRules() {
		if strings.HasPrefix(r.Name, in.NamePrefix) && r.Bus == busOf(in.EventBusName) {
			names = append(names, r.Name)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listRulesOutput{Rules: []describeRuleOutput{}, NextToken: next}
	for _, n := range page {
		out.Rules = append(out.Rules, s.describe(s.rules[n]))
	}
	return out, nil
}

// paginate pages through names with an index token.
func paginate(names []string, token string, limit int) ([]string, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(names) {
			return nil, "", validation("NextToken %q is not one this endpoint issued", token)
		}
		start = n
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	end := min(start+limit, len(names))
	next := ""
	if end < len(names) {
		next = strconv.Itoa(end)
	}
	return names[start:end], next, nil
}

type deleteRuleInput struct {
	Name         string
	EventBusName string
	Force        bool
}

func (s *Service) deleteRule(_ context.Context, in *deleteRuleInput) (*struct{}, error) {
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[in.Name]
	if !ok || r.Bus != busOf(in.EventBusName) {
		return &struct{}{}, nil
	}
	if len(r.Targets) > 0 {
		return nil, validation("Rule can't be deleted since it has targets. Remove its targets with RemoveTargets first")
	}
	delete(s.rules, in.Name)
	if err := s.saveRules(); err != nil {
		s.rules[in.Name] = r
		return nil, fmt.Errorf("save the rules: %w", err)
	}
	s.unscheduleLocked(in.Name)
	return &struct{}{}, nil
}

func (s *Service) setState(in *ruleRef, state string) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.rule(*in)
	if err != nil {
		return nil, err
	}
	next := *r
	next.State = state
	if err := s.commitRule(&next); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

func (s *Service) enableRule(_ context.Context, in *ruleRef) (*struct{}, error) {
	return s.setState(in, Enabled)
}

func (s *Service) disableRule(_ context.Context, in *ruleRef) (*struct{}, error) {
	return s.setState(in, Disabled)
}

// --- targets ---

// wireTarget is Target as the API spells it.
type wireTarget struct {
	Id               string
	Arn              string
	RoleArn          string                `json:",omitempty"`
	Input            string                `json:",omitempty"`
	InputPath        string                `json:",omitempty"`
	InputTransformer *InputTransformer     `json:",omitempty"`
	RetryPolicy      *RetryPolicy          `json:",omitempty"`
	DeadLetterConfig *struct{ Arn string } `json:",omitempty"`
}

type putTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []wireTarget
}

type failedEntry struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

type targetsOutput struct {
	FailedEntryCount int
	FailedEntries    []failedEntry
}

// MaxTargetsPerRule is EventBridge's limit.
const MaxTargetsPerRule = 5

var targetID = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

func (s *Service) putTargets(_ context.Context, in *putTargetsInput) (*targetsOutput, error) {
	if len(in.Targets) == 0 || len(in.Targets) > 100 {
		return nil, validation("Targets must list between 1 and 100 targets")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.rule(ruleRef{in.Rule, in.EventBusName})
	if err != nil {
		return nil, err
	}
	next := *r
	next.Targets = append([]*Target(nil), r.Targets...)
	out := &targetsOutput{FailedEntries: []failedEntry{}}
	fail := func(id, code, format string, args ...any) {
		out.FailedEntries = append(out.FailedEntries, failedEntry{TargetId: id, ErrorCode: code, ErrorMessage: fmt.Sprintf(format, args...)})
	}
	for _, wt := range in.Targets {
		t, problem := checkTarget(wt)
		if problem != "" {
			fail(wt.Id, "ValidationException", "%s", problem)
			continue
		}
		replaced := false
		for i, old := range next.Targets {
			if old.ID == t.ID {
				next.Targets[i], replaced = t, true
			}
		}
		if !replaced {
			if len(next.Targets) >= MaxTargetsPerRule {
				fail(wt.Id, "LimitExceededException", "rule %s already has the maximum of %d targets", r.Name, MaxTargetsPerRule)
				continue
			}
			next.Targets = append(next.Targets, t)
		}
	}
	if err := s.commitRule(&next); err != nil {
		return nil, err
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

// checkTarget validates a target as PutTargets receives it.
func checkTarget(wt wireTarget) (*Target, string) {
	if !targetID.MatchString(wt.Id) {
		return nil, fmt.Sprintf("target Id %q must be 1 to 64 letters, digits, '.', '-' or '_'", wt.Id)
	}
	if !strings.HasPrefix(wt.Arn, "arn:") {
		return nil, fmt.Sprintf("target Arn %q is not an ARN", wt.Arn)
	}
	set := 0
	for _, b := range []bool{wt.Input != "", wt.InputPath != "", wt.InputTransformer != nil} {
		if b {
			set++
		}
	}
	if set > 1 {
		return nil, "give at most one of Input, InputPath and InputTransformer"
	}
	if wt.Input != "" && !json.Valid([]byte(wt.Input)) {
		return nil, "Input must be valid JSON text"
	}
	if wt.InputPath != "" {
		if err := validatePath(wt.InputPath); err != nil {
			return nil, "InputPath " + err.Error()
		}
	}
	if tr := wt.InputTransformer; tr != nil {
		if tr.InputTemplate == "" {
			return nil, "InputTransformer.InputTemplate is required"
		}
		for name, p := range tr.InputPathsMap {
			if strings.HasPrefix(name, "aws.events.") {
				return nil, fmt.Sprintf("InputPathsMap key %q uses the reserved prefix aws.events.", name)
			}
			if err := validatePath(p); err != nil {
				return nil, "InputPathsMap[" + name + "] " + err.Error()
			}
		}
	}
	t := &Target{ID: wt.Id, Arn: wt.Arn, RoleArn: wt.RoleArn, Input: wt.Input, InputPath: wt.InputPath,
		InputTransformer: wt.InputTransformer, RetryPolicy: wt.RetryPolicy}
	if wt.DeadLetterConfig != nil {
		t.DeadLetterArn = wt.DeadLetterConfig.Arn
	}
	return t, ""
}

func toWire(t *Target) wireTarget {
	w := wireTarget{Id: t.ID, Arn: t.Arn, RoleArn: t.RoleArn, Input: t.Input, InputPath: t.InputPath,
		InputTransformer: t.InputTransformer, RetryPolicy: t.RetryPolicy}
	if t.DeadLetterArn != "" {
		w.DeadLetterConfig = &struct{ Arn string }{t.DeadLetterArn}
	}
	return w
}

type removeTargetsInput struct {
	Rule         string
	EventBusName string
	Ids          []string
	Force        bool
}

func (s *Service) removeTargets(_ context.Context, in *removeTargetsInput) (*targetsOutput, error) {
	if len(in.Ids) == 0 {
		return nil, validation("Ids must list at least one target id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.rule(ruleRef{in.Rule, in.EventBusName})
	if err != nil {
		return nil, err
	}
	remove := map[string]bool{}
	for _, id := range in.Ids {
		remove[id] = true
	}
	next := *r
	next.Targets = nil
	for _, t := range r.Targets {
		if remove[t.ID] {
			delete(remove, t.ID)
			continue
		}
		next.Targets = append(next.Targets, t)
	}
	out := &targetsOutput{FailedEntries: []failedEntry{}}
	for _, id := range in.Ids {
		if remove[id] {
			out.FailedEntries = append(out.FailedEntries, failedEntry{TargetId: id, ErrorCode: "ResourceNotFoundException",
				ErrorMessage: fmt.Sprintf("rule %s has no target %s", r.Name, id)})
		}
	}
	if err := s.commitRule(&next); err != nil {
		return nil, err
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

type listTargetsInput struct {
	Rule         string
	EventBusName string
	NextToken    string
	Limit        int
}

type listTargetsOutput struct {
	Targets   []wireTarget
	NextToken string `json:",omitempty"`
}

func (s *Service) listTargetsByRule(_ context.Context, in *listTargetsInput) (*listTargetsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.rule(ruleRef{in.Rule, in.EventBusName})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(r.Targets))
	byID := map[string]*Target{}
	for i, t := range r.Targets {
		ids[i], byID[t.ID] = t.ID, t
	}
	page, next, err := paginate(ids, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listTargetsOutput{Targets: []wireTarget{}, NextToken: next}
	for _, id := range page {
		out.Targets = append(out.Targets, toWire(byID[id]))
	}
	return out, nil
}

// --- events ---

type putEventsEntry struct {
	Time         *json.Number
	Source       string
	Resources    []string
	DetailType   string
	Detail       string
	EventBusName string
	TraceHeader  string
}

type putEventsInput struct {
	Entries []putEventsEntry
}

type putEventsResult struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type putEventsOutput struct {
	FailedEntryCount int
	Entries          []putEventsResult
}

// MaxEntrySize is the largest event entry PutEvents accepts.
const MaxEntrySize = 256 << 10

func (s *Service) putEvents(_ context.Context, in *putEventsInput) (*putEventsOutput, error) {
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		return nil, validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10 (got %d)", len(in.Entries))
	}
	out := &putEventsOutput{Entries: make([]putEventsResult, len(in.Entries))}
	for i, e := range in.Entries {
		id, code, msg := s.accept(e)
		if code != "" {
			out.Entries[i] = putEventsResult{ErrorCode: code, ErrorMessage: msg}
			out.FailedEntryCount++
			continue
		}
		out.Entries[i] = putEventsResult{EventId: id}
	}
	return out, nil
}

// accept matches one event against the rules and spools its deliveries.
// It returns the event id, or an error code and message for the entry.
func (s *Service) accept(e putEventsEntry) (id, code, msg string) {
	switch {
	case e.Source == "":
		return "", "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == "":
		return "", "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == "":
		return "", "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	}
	if err := s.checkBus(e.EventBusName); err != nil {
		return "", "ResourceNotFoundException", awsproto.AsError(err).Message
	}
	bus := busOf(e.EventBusName)
	if len(e.Source)+len(e.DetailType)+len(e.Detail)+len(strings.Join(e.Resources, "")) > MaxEntrySize {
		return "", "InvalidArgument", fmt.Sprintf("the entry is larger than the %d bytes EventBridge accepts", MaxEntrySize)
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil || detail == nil {
		return "", "MalformedDetail", "Detail is malformed: it must be a JSON object."
	}
	at := s.opts.Clock.Now().UTC()
	if e.Time != nil {
		if f, err := e.Time.Float64(); err == nil {
			sec, frac := math.Modf(f)
			at = time.Unix(int64(sec), int64(frac*1e9)).UTC()
		}
	}
	id = newEventID()
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	envelope := map[string]any{
		"version": "0", "id": id, "detail-type": e.DetailType, "source": e.Source,
		"account": s.opts.Account, "time": at.Format(time.RFC3339), "region": s.opts.Region,
		"resources": resources, "detail": json.RawMessage(e.Detail),
	}
	eventJSON, _ := json.Marshal(envelope)
	event, _ := decodeJSON(eventJSON)
	eventMap, _ := event.(map[string]any)
	plain := map[string]any{}
	_ = json.Unmarshal(eventJSON, &plain)

	s.mu.RLock()
	var deliveries []delivery
	var matched []string
	for _, r := range s.sortedRules() {
		if r.Bus != bus || r.State != Enabled || r.pattern == nil || !r.pattern.MatchesValue(eventMap) {
			continue
		}
		matched = append(matched, r.Name)
		deliveries = append(deliveries, s.deliveriesLocked(r, id, plain, eventJSON)...)
	}
	ctx := s.running
	s.mu.RUnlock()

	if err := s.dispatch(ctx, deliveries); err != nil {
		return "", "InternalFailure", "the event could not be stored for delivery: " + err.Error()
	}
	s.recent.Add(RecentEvent{ID: id, Time: at, Source: e.Source, DetailType: e.DetailType,
		Detail: recent.Clip(e.Detail, 4<<10), Resources: resources, Rules: matched})
	return id, "", ""
}

// deliveriesLocked builds the deliveries of an event to the targets of
// rule r; the caller holds s.mu.
func (s *Service) deliveriesLocked(r *Rule, eventID string, plain map[string]any, eventJSON []byte) []delivery {
	var out []delivery
	for _, t := range r.Targets {
		input, err := targetInput(t, r, plain, eventJSON)
		if err != nil {
			s.opts.Logger.Error("events: cannot build target input; target skipped", "rule", r.Name, "target", t.ID, "error", err)
			continue
		}
		d := delivery{ID: s.pending.NewID(), EventID: eventID, Rule: r.Name, Target: *t, Input: string(input),
			Accepted: s.opts.Clock.Now(), MaxAttempts: DefaultMaximumRetryAttempts + 1, MaxAge: int64(DefaultMaximumEventAge / time.Second)}
		if p := t.RetryPolicy; p != nil {
			if p.MaximumRetryAttempts != nil {
				d.MaxAttempts = *p.MaximumRetryAttempts + 1
			}
			if p.MaximumEventAgeInSeconds != nil {
				d.MaxAge = int64(*p.MaximumEventAgeInSeconds)
			}
		}
		out = append(out, d)
	}
	return out
}

// dispatch spools deliveries and, once the service runs (ctx not nil),
// starts them.
func (s *Service) dispatch(ctx context.Context, deliveries []delivery) error {
	for _, d := range deliveries {
		if err := s.pending.Put(d.ID, d); err != nil {
			return err
		}
	}
	if ctx != nil {
		for _, d := range deliveries {
			s.wg.Add(1)
			go s.deliver(ctx, d)
		}
	}
	return nil
}

func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// --- patterns and buses ---

type testEventPatternInput struct {
	EventPattern string
	Event        string
}

type testEventPatternOutput struct {
	Result bool
}

func (s *Service) testEventPattern(_ context.Context, in *testEventPatternInput) (*testEventPatternOutput, error) {
	p, err := ParsePattern(in.EventPattern)
	if err != nil {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidEventPatternException", "%v", err)
	}
	ok, err := p.Matches([]byte(in.Event))
	if err != nil {
		return nil, validation("Event is not valid: %v", err)
	}
	return &testEventPatternOutput{Result: ok}, nil
}

type busRef struct {
	Name string
}

type busOutput struct {
	Name string
	Arn  string
}

func (s *Service) describeEventBus(_ context.Context, in *busRef) (*busOutput, error) {
	if err := s.checkBus(in.Name); err != nil {
		return nil, err
	}
	bus := busOf(in.Name)
	return &busOutput{Name: busLabel(bus), Arn: s.busArn(bus)}, nil
}

type listBusesInput struct {
	NamePrefix string
}

func (s *Service) listEventBuses(_ context.Context, in *listBusesInput) (*struct{ EventBuses []busOutput }, error) {
	out := &struct{ EventBuses []busOutput }{EventBuses: []busOutput{}}
	if strings.HasPrefix("default", in.NamePrefix) {
		out.EventBuses = append(out.EventBuses, busOutput{Name: "default", Arn: s.BusArn()})
	}
	out.EventBuses = append(out.EventBuses, s.customBuses(in.NamePrefix)...)
	return out, nil
}
