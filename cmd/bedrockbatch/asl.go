package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

func newASLCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "asl",
		Short: "Run and check Amazon States Language state machines locally",
	}
	cmd.AddCommand(newASLRunCmd(), newASLValidateCmd())
	return cmd
}

func newASLValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate DEFINITION.json",
		Short: "Check a state machine definition as Step Functions would on creation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if _, err := asl.Parse(data); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", args[0])
			return nil
		},
	}
}

type aslRunFlags struct {
	input     string
	tasks     []string
	history   bool
	realWaits bool
	timeScale float64
	name      string
}

func newASLRunCmd() *cobra.Command {
	var f aslRunFlags
	cmd := &cobra.Command{
		Use:   "run DEFINITION.json",
		Short: "Run a state machine locally and print its output",
		Long: `Run a state machine definition (Amazon States Language, in JSONPath or
JSONata mode, with workflow variables) on this machine and print the
execution's output JSON.

Task states do not call anything: give each one its result with
--task NAME=JSON (or NAME=@file.json), or make it fail with
--task NAME=error:ERROR or NAME=error:ERROR:CAUSE. Repeat --task for the same
state to answer successive calls in order (the last answer repeats), e.g. a
failure then a result to exercise a Retry. A .waitForTaskToken task is
answered through its task token in the same way.

A distributed Map (ItemProcessor ProcessorConfig Mode DISTRIBUTED) runs its
child workflows here too. Its ItemReader's Amazon S3 call is answered like a
Task named after the Map state: --task MAP=JSON gives the s3:getObject
result (the object's content as a JSON string, or {"Body": "..."}, or for
InputType JSON the array itself) or the s3:listObjectsV2 result
({"Contents": [...]}; repeat --task for further pages). Its ResultWriter's
s3:putObject calls need no answer: nothing is exported, and the Map's
output is the Map Run ARN and manifest location Step Functions returns.

Wait states and retry intervals end at once by default (results do not
change); --real-waits waits for real, and --time-scale N runs the clock N
times faster than real time.

On failure the error and cause are printed as {"Error": …, "Cause": …} and
the exit status is 1. A Task state without an answer stops the run with
exit status 2.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runASL(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.input, "input", "{}", "execution input: JSON text, or @FILE to read it from a file")
	fl.StringArrayVar(&f.tasks, "task", nil, "answer of a Task state: NAME=JSON, NAME=@FILE or NAME=error:ERROR[:CAUSE] (repeatable, in call order)")
	fl.BoolVar(&f.history, "history", false, "print the execution's history events to standard error")
	fl.BoolVar(&f.realWaits, "real-waits", false, "let Wait states and retry intervals take their real time")
	fl.Float64Var(&f.timeScale, "time-scale", 0, "run the clock this many times faster than real time (implies real waits)")
	fl.StringVar(&f.name, "name", "local", "execution name")
	return cmd
}

// cliAnswer is one scripted answer of a Task state.
type cliAnswer struct {
	result json.RawMessage
	err    *asl.Error
}

// cliInvoker answers Task states from the command line's --task flags.
type cliInvoker struct {
	engine  *asl.Engine
	answers map[string][]cliAnswer
	mu      sync.Mutex
	calls   map[string]int
	missing string
	abort   func()
}

func (c *cliInvoker) Invoke(_ context.Context, call asl.TaskCall) (json.RawMessage, error) {
	if call.Field == "ResultWriter" {
		return json.RawMessage("{}"), nil
	}
	c.mu.Lock()
	list, ok := c.answers[call.StateName]
	if !ok {
		if c.missing == "" {
			c.missing = call.StateName
		}
		c.mu.Unlock()
		c.abort()
		return nil, &asl.Error{Name: "States.TaskFailed", Cause: fmt.Sprintf("no result given for the Task state %q", call.StateName)}
	}
	n := c.calls[call.StateName]
	c.calls[call.StateName] = n + 1
	c.mu.Unlock()
	a := list[min(n, len(list)-1)]
	if call.TaskToken != "" {
		if a.err != nil {
			return nil, c.engine.SendTaskFailure(call.TaskToken, a.err.Name, a.err.Cause)
		}
		return json.RawMessage("{}"), c.engine.SendTaskSuccess(call.TaskToken, a.result)
	}
	if a.err != nil {
		return nil, a.err
	}
	return a.result, nil
}

// parseTaskAnswers reads --task values: NAME=JSON, NAME=@FILE or
// NAME=error:ERROR[:CAUSE], in the order given.
func parseTaskAnswers(tasks []string) (map[string][]cliAnswer, error) {
	answers := map[string][]cliAnswer{}
	for _, t := range tasks {
		name, val, ok := strings.Cut(t, "=")
		if !ok || name == "" || val == "" {
			return nil, fmt.Errorf("--task %q: want NAME=JSON, NAME=@FILE or NAME=error:ERROR[:CAUSE]", t)
		}
		if spec, ok := strings.CutPrefix(val, "error:"); ok {
			errName, cause, _ := strings.Cut(spec, ":")
			if errName == "" {
				return nil, fmt.Errorf("--task %q: the error name is empty", t)
			}
			answers[name] = append(answers[name], cliAnswer{err: &asl.Error{Name: errName, Cause: cause}})
			continue
		}
		res, err := jsonArg(fmt.Sprintf("--task %s", name), val)
		if err != nil {
			return nil, err
		}
		answers[name] = append(answers[name], cliAnswer{result: res})
	}
	return answers, nil
}

func runASL(cmd *cobra.Command, file string, f aslRunFlags) error {
	def, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	input, err := jsonArg("--input", f.input)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	answers, err := parseTaskAnswers(f.tasks)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var clk clock.Clock = clock.Real{}
	if f.timeScale > 0 {
		clk = clock.NewScaled(f.timeScale)
	}
	inv := &cliInvoker{answers: answers, calls: map[string]int{}}
	eng := asl.NewEngine(asl.Options{Invoker: inv, Clock: clk, SkipWaits: !f.realWaits && f.timeScale <= 0})
	inv.engine = eng
	// A Task state without an answer stops the execution; the first state
	// may ask before Start has returned the execution's ARN.
	started := make(chan string, 1)
	inv.abort = func() {
		go func() {
			arn := <-started
			started <- arn
			_, _ = eng.Stop(arn, "", "")
		}()
	}
	sm, err := eng.NewStateMachine("local", def)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	arn, err := eng.Start(asl.StartInput{StateMachine: sm, Name: f.name, Input: input})
	if err != nil {
		return err
	}
	started <- arn
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	info, err := eng.Wait(ctx, arn)
	if err != nil {
		info, _ = eng.Stop(arn, "Interrupted", "the run was interrupted")
	}
	if f.history {
		events, _ := eng.History(arn)
		printHistory(cmd.ErrOrStderr(), events)
	}
	out := cmd.OutOrStdout()
	inv.mu.Lock()
	missing := inv.missing
	inv.mu.Unlock()
	if missing != "" {
		return &exitError{code: 2, err: fmt.Errorf("the Task state %q has no result: give one with --task %s=JSON (or --task %s=error:ERROR:CAUSE)", missing, missing, missing)}
	}
	if info.Status == asl.StatusSucceeded {
		fmt.Fprintln(out, string(info.Output))
		return nil
	}
	failure := map[string]string{"Error": info.Error}
	if info.Cause != "" {
		failure["Cause"] = info.Cause
	}
	b, _ := json.Marshal(failure)
	fmt.Fprintln(out, string(b))
	return &exitError{code: 1, err: fmt.Errorf("execution %s: error %q, cause %q", info.Status, info.Error, info.Cause)}
}

// printHistory writes one line per event: id, previous id, type and details.
func printHistory(w io.Writer, events []asl.HistoryEvent) {
	for _, ev := range events {
		b, _ := json.Marshal(ev)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(b, &m)
		keys := make([]string, 0, len(m))
		for k := range m {
			if strings.HasSuffix(k, "EventDetails") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		details := ""
		for _, k := range keys {
			details += " " + string(m[k])
		}
		fmt.Fprintf(w, "%4d %4d %s %-28s%s\n", ev.ID, ev.PreviousEventID, ev.Timestamp.UTC().Format(time.RFC3339Nano), ev.Type, details)
	}
}
