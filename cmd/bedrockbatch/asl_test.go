package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the root command with args and returns stdout, stderr and the
// exit status main would use.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		code = exitCode(err)
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), code
}

func writeDef(t *testing.T, def string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "def.json")
	if err := os.WriteFile(p, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const cliDef = `{"StartAt":"Greet","States":{
  "Greet":{"Type":"Pass","Parameters":{"msg.$":"States.Format('hello {}', $.who)"},"Next":"Nap"},
  "Nap":{"Type":"Wait","Seconds":86400,"Next":"Work"},
  "Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"ResultPath":"$.work","Next":"Check"},
  "Check":{"Type":"Choice","Choices":[{"Variable":"$.work.ok","BooleanEquals":true,"Next":"Done"}],"Default":"Broken"},
  "Done":{"Type":"Succeed"},
  "Broken":{"Type":"Fail","Error":"NotOk","Cause":"the work was not ok"}}}`

func TestASLRunPrintsOutput(t *testing.T) {
	def := writeDef(t, cliDef)
	out, errOut, code := runCLI(t, "asl", "run", def, "--input", `{"who":"world"}`, "--task", `Work={"ok":true}`, "--history")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q is not JSON: %v", out, err)
	}
	if got["msg"] != "hello world" || got["work"].(map[string]any)["ok"] != true {
		t.Errorf("output %s", out)
	}
	for _, ev := range []string{"ExecutionStarted", "WaitStateEntered", "TaskSubmitted", "ExecutionSucceeded"} {
		if !strings.Contains(errOut, ev) {
			t.Errorf("--history output lacks %s:\n%s", ev, errOut)
		}
	}
}

func TestASLRunFailureExitsOne(t *testing.T) {
	def := writeDef(t, cliDef)
	in := filepath.Join(t.TempDir(), "in.json")
	os.WriteFile(in, []byte(`{"who":"file"}`), 0o644)
	out, _, code := runCLI(t, "asl", "run", def, "--input", "@"+in, "--task", `Work={"ok":false}`)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if strings.TrimSpace(out) != `{"Cause":"the work was not ok","Error":"NotOk"}` {
		t.Errorf("failure output %q", out)
	}
	out, _, code = runCLI(t, "asl", "run", def, "--input", `{"who":"x"}`, "--task", "Work=error:JobFailed:quota")
	if code != 1 || !strings.Contains(out, `"Error":"JobFailed"`) || !strings.Contains(out, `"Cause":"quota"`) {
		t.Errorf("--task NAME=error:…: exit %d, output %q", code, out)
	}
}

func TestASLRunMissingTaskResultNamesTheState(t *testing.T) {
	def := writeDef(t, cliDef)
	_, errOut, code := runCLI(t, "asl", "run", def, "--input", `{"who":"x"}`)
	if code != 2 || !strings.Contains(errOut, `"Work"`) || !strings.Contains(errOut, "--task Work=") {
		t.Errorf("exit %d, stderr %q: want 2 and a message naming the state and the flag", code, errOut)
	}
}

func TestASLRunTaskSequenceAndBadArgs(t *testing.T) {
	def := writeDef(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
	  "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3600}],"End":true}}}`)
	out, errOut, code := runCLI(t, "asl", "run", def, "--task", "T=error:Flaky", "--task", `T={"second":true}`)
	if code != 0 || strings.TrimSpace(out) != `{"second":true}` {
		t.Fatalf("a failure then a result, retried after an hour (at once here): exit %d, output %q, %s", code, out, errOut)
	}
	if _, _, code := runCLI(t, "asl", "run", def, "--input", "{bad"); code != 2 {
		t.Errorf("bad --input: exit %d, want 2", code)
	}
	if _, _, code := runCLI(t, "asl", "run", def, "--task", "T"); code != 2 {
		t.Errorf("bad --task: exit %d, want 2", code)
	}
	bad := writeDef(t, `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`)
	if _, errOut, code := runCLI(t, "asl", "run", bad); code != 1 || !strings.Contains(errOut, `state "A"`) {
		t.Errorf("invalid definition: exit %d, %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, "asl", "validate", bad); code != 1 || !strings.Contains(errOut, "needs Next") {
		t.Errorf("validate: exit %d, %q", code, errOut)
	}
}

// Workflow variables and JSONata states run from the command line as in
// Step Functions: a JSONPath state assigns, a JSONata state reads, and an
// expression that returns nothing fails the run with Step Functions' cause.
func TestASLRunVariablesAndJSONata(t *testing.T) {
	def := writeDef(t, `{"StartAt":"Keep","States":{
	  "Keep":{"Type":"Pass","Assign":{"who.$":"$.who","n":2},"Next":"Call"},
	  "Call":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke",
	    "Arguments":{"FunctionName":"f","Payload":{"greeting":"{% 'hi ' & $who %}"}},
	    "Assign":{"n":"{% $n * $states.result.Payload.times %}"},
	    "Output":{"said":"{% $states.result.Payload.greeting %}","n":"{% $n %}"},"Next":"Show"},
	  "Show":{"Type":"Pass","Parameters":{"said.$":"$.said","before.$":"$.n","after.$":"$n"},"End":true}}}`)
	out, errOut, code := runCLI(t, "asl", "run", def, "--input", `{"who":"ana"}`,
		"--task", `Call={"Payload":{"greeting":"hi ana","times":5}}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.TrimSpace(out) != `{"said":"hi ana","before":2,"after":10}` {
		t.Errorf("output %q", out)
	}

	def = writeDef(t, `{"QueryLanguage":"JSONata","StartAt":"State0","States":{
	  "State0":{"Type":"Pass","Output":{"result":"{% $doesNotExist %}"},"End":true}}}`)
	out, _, code = runCLI(t, "asl", "run", def)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := `{"Cause":"An error occurred while executing the state 'State0' (entered at the event id #2). ` +
		`The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).",` +
		`"Error":"States.QueryEvaluationError"}`
	if strings.TrimSpace(out) != want {
		t.Errorf("failure output %s\nwant %s", out, want)
	}
}

func TestASLRunDistributedMapWithReader(t *testing.T) {
	def := writeDef(t, `{"StartAt":"Rows","States":{"Rows":{"Type":"Map","End":true,
  "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},
    "Parameters":{"Bucket":"in","Key":"rows.csv"}},
  "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"run.$":"$.run"}},
  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"p"}},
  "ToleratedFailureCount":1,
  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"Sum","States":{
    "Sum":{"Type":"Pass","Parameters":{"n.$":"States.ArrayLength($.Items)","run.$":"$.BatchInput.run"},"End":true}}}}}}`)
	out, errOut, code := runCLI(t, "asl", "run", def, "--input", `{"run":"r1"}`, "--task", `Rows={"Body":"id\n1\n2\n3\n"}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q is not JSON: %v", out, err)
	}
	if !strings.Contains(got.MapRunArn, ":mapRun:local/Rows:") || got.ResultWriterDetails.Bucket != "out" ||
		!strings.HasPrefix(got.ResultWriterDetails.Key, "p/") || !strings.HasSuffix(got.ResultWriterDetails.Key, "/manifest.json") {
		t.Errorf("output %s", out)
	}

	// Without the reader's answer the run stops and names the Map state.
	_, errOut, code = runCLI(t, "asl", "run", def)
	if code != 2 || !strings.Contains(errOut, `--task Rows=JSON`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestASLRunKeepsKeyOrder(t *testing.T) {
	def := writeDef(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"q":1,"c":2},"ResultPath":"$.added","End":true}}}`)
	out, errOut, code := runCLI(t, "asl", "run", def, "--input", `{"zeta":1,"alpha":{"y":2,"b":3}}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := `{"zeta":1,"alpha":{"y":2,"b":3},"added":{"q":1,"c":2}}` + "\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}
