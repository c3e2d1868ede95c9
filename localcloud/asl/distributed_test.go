package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// distributedDef is a JSONPath definition whose Map "M" has the given
// extra fields and a pass-through distributed ItemProcessor.
func distributedDef(extra string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,` + extra + `
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}`
}

func TestParseDistributedMapAccepts(t *testing.T) {
	for _, extra := range []string{
		``,
		`"Label":"my-run_1",`,
		`"MaxConcurrency":10000,"ToleratedFailurePercentage":12.5,"ToleratedFailureCount":3,`,
		`"ToleratedFailurePercentagePath":"$.p","ToleratedFailureCountPath":"$.c","MaxConcurrencyPath":"$.m",`,
		`"ItemBatcher":{"MaxItemsPerBatch":10,"MaxInputBytesPerBatch":262144,"BatchInput":{"a.$":"$.a"}},`,
		`"ItemBatcher":{"MaxItemsPerBatchPath":"$.n"},`,
		`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["a"],"CSVDelimiter":"TAB","MaxItems":5},"Parameters":{"Bucket":"b","Key.$":"$.k"}},`,
		`"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b"}},`,
		`"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"b","Prefix":"p"}},`,
		`"ResultWriter":{"WriterConfig":{"OutputType":"JSONL","Transformation":"COMPACT"}},`,
	} {
		if _, err := Parse([]byte(distributedDef(extra))); err != nil {
			t.Errorf("%s: %v", extra, err)
		}
	}
}

func TestParseDistributedMapRejects(t *testing.T) {
	for _, c := range []struct{ def, want string }{
		{`{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}`, "ExecutionType"},
		{`{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"PARALLEL"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}`, "Mode must be"},
		{`{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemBatcher":{"MaxItemsPerBatch":2},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}`, "ItemBatcher is only allowed in a distributed Map"},
		{distributedDef(`"Label":"has space",`), "Label"},
		{distributedDef(`"Label":"` + strings.Repeat("x", 41) + `",`), "at most 40"},
		{distributedDef(`"ItemBatcher":{"BatchInput":{}},`), "needs MaxItemsPerBatch"},
		{distributedDef(`"ItemBatcher":{"MaxItemsPerBatch":2,"MaxItemsPerBatchPath":"$.n"},`), "cannot both be set"},
		{distributedDef(`"ItemBatcher":{"MaxInputBytesPerBatch":262145},`), "from 0 to 262144"},
		{distributedDef(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"}},`), "needs ReaderConfig InputType"},
		{distributedDef(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"XML"}},`), "InputType must be"},
		{distributedDef(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN"}},`), "needs CSVHeaders"},
		{distributedDef(`"ItemReader":{"Resource":"arn:aws:states:::dynamodb:scan"},`), "is not supported"},
		{distributedDef(`"ResultWriter":{},`), "cannot be empty"},
		{distributedDef(`"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject"},`), "Resource and Parameters together"},
		{distributedDef(`"ResultWriter":{"WriterConfig":{"OutputType":"CSV","Transformation":"NONE"}},`), "OutputType must be"},
	} {
		_, err := Parse([]byte(c.def))
		if err == nil {
			t.Errorf("%s: accepted, want an error mentioning %q", c.def, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `state "M"`) {
			t.Errorf("%s: error %q, want it to name state \"M\" and mention %q", c.def, err, c.want)
		}
	}
}

func TestParseCSVItems(t *testing.T) {
	items, err := ParseCSVItems("\ufeffa,b\n1,\"x,y\"\n2\n", ReaderConfig{InputType: "CSV"})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"a":"1","b":"x,y"},{"a":"2","b":""}]`
	if got := string(encodeValue(items)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	items, err = ParseCSVItems("1;2\n", ReaderConfig{InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"p", "q"}, CSVDelimiter: "SEMICOLON"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(encodeValue(items)); got != `[{"p":"1","q":"2"}]` {
		t.Errorf("given headers: got %s", got)
	}
	if _, err := ParseCSVItems("a\n1,2\n", ReaderConfig{InputType: "CSV"}); err == nil || !strings.Contains(err.Error(), "2 values but there are 1 headers") {
		t.Errorf("extra value: err %v", err)
	}
	if items, err := ParseCSVItems("", ReaderConfig{InputType: "CSV"}); err != nil || len(items) != 0 {
		t.Errorf("empty content: %v, %v", items, err)
	}
}

func TestParseJSONLItems(t *testing.T) {
	items, err := ParseJSONLItems("{\"a\":1}\r\n\n[2]\n\"s\"")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(encodeValue(items)); got != `[{"a":1},[2],"s"]` {
		t.Errorf("got %s", got)
	}
	if _, err := ParseJSONLItems("{\"a\":1}\n{oops}\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: err %v", err)
	}
}

func TestMakeBatches(t *testing.T) {
	items := []any{"aa", "bb", "cc", "dd", "ee"}
	for _, c := range []struct {
		maxItems, maxBytes int
		want               string
	}{
		{2, maxBatchBytes, `[{"Items":["aa","bb"]},{"Items":["cc","dd"]},{"Items":["ee"]}]`},
		{0, maxBatchBytes, `[{"Items":["aa","bb","cc","dd","ee"]}]`},
		// {"Items":["aa","bb"]} is 21 bytes.
		{0, 21, `[{"Items":["aa","bb"]},{"Items":["cc","dd"]},{"Items":["ee"]}]`},
		{0, 20, `[{"Items":["aa"]},{"Items":["bb"]},{"Items":["cc"]},{"Items":["dd"]},{"Items":["ee"]}]`},
		// An item larger than the limit goes alone.
		{0, 5, `[{"Items":["aa"]},{"Items":["bb"]},{"Items":["cc"]},{"Items":["dd"]},{"Items":["ee"]}]`},
	} {
		got := string(encodeValue(makeBatches(items, c.maxItems, c.maxBytes, nil, false)))
		if got != c.want {
			t.Errorf("maxItems %d maxBytes %d: got %s, want %s", c.maxItems, c.maxBytes, got, c.want)
		}
	}
	got := string(encodeValue(makeBatches(items[:1], 0, maxBatchBytes, map[string]any{"k": "v"}, true)))
	if got != `[{"BatchInput":{"k":"v"},"Items":["aa"]}]` {
		t.Errorf("batch input: got %s", got)
	}
	if got := string(encodeValue(makeBatches(nil, 2, maxBatchBytes, nil, false))); got != `[]` {
		t.Errorf("no items: got %s", got)
	}
}

// runDistributed runs a definition with an invoker and returns the ended
// execution's info and history.
func runDistributed(t *testing.T, def string, input string, inv Invoker) (ExecutionInfo, []HistoryEvent) {
	t.Helper()
	eng := NewEngine(Options{Invoker: inv, SkipWaits: true})
	sm, err := eng.NewStateMachine("orders", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	arn, err := eng.Start(StartInput{StateMachine: sm, Name: "e1", Input: json.RawMessage(input)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := eng.Wait(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	events, err := eng.History(arn)
	if err != nil {
		t.Fatal(err)
	}
	return info, events
}

func joinedTypes(events []HistoryEvent) string {
	var types []string
	for _, ev := range events {
		types = append(types, ev.Type)
	}
	return strings.Join(types, " ")
}

func TestDistributedMapHistory(t *testing.T) {
	info, events := runDistributed(t, distributedDef(`"Label":"L",`), `[1]`, nil)
	if info.Status != StatusSucceeded || string(info.Output) != `[1]` {
		t.Fatalf("status %s output %s", info.Status, info.Output)
	}
	// The children's states are in their own histories, not the parent's.
	want := "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded"
	if got := joinedTypes(events); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	for _, ev := range events {
		if ev.Type == "MapRunStarted" {
			re := regexp.MustCompile(`^arn:aws:states:us-east-1:123456789012:mapRun:orders/L:[0-9a-f-]{36}$`)
			if ev.MapRunStartedEventDetails == nil || !re.MatchString(ev.MapRunStartedEventDetails.MapRunArn) {
				t.Errorf("MapRunStarted details %+v", ev.MapRunStartedEventDetails)
			}
		}
	}

	def := `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}}}}`
	info, events = runDistributed(t, def, `[1]`, nil)
	if info.Status != StatusFailed || info.Error != ErrExceedToleratedFailureThreshold {
		t.Fatalf("status %s error %s", info.Status, info.Error)
	}
	got := joinedTypes(events)
	if !strings.Contains(got, "MapRunFailed MapStateFailed ExecutionFailed") {
		t.Errorf("events %s", got)
	}
	for _, ev := range events {
		if ev.Type == "MapRunFailed" && (ev.MapRunFailedEventDetails == nil || ev.MapRunFailedEventDetails.Error != ErrExceedToleratedFailureThreshold) {
			t.Errorf("MapRunFailed details %+v", ev.MapRunFailedEventDetails)
		}
	}
}

// recordingInvoker keeps the S3 calls a distributed Map makes.
type recordingInvoker struct {
	mu    sync.Mutex
	calls []TaskCall
}

func (r *recordingInvoker) Invoke(_ context.Context, call TaskCall) (json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
	if call.Field == "ItemReader" {
		return json.RawMessage(`{"Body":"n\n1\n2\n3\n"}`), nil
	}
	return json.RawMessage(`{}`), nil
}

func TestDistributedMapReaderAndWriterCalls(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ToleratedFailureCount":1,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV"},"Parameters":{"Bucket":"in","Key.$":"$.key"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix.$":"$.prefix"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.n","StringEquals":"2","Next":"F"}],"Default":"P"},
			"F":{"Type":"Fail","Error":"Two","Cause":"no twos"},
			"P":{"Type":"Pass","End":true}}}}}}`
	inv := &recordingInvoker{}
	info, _ := runDistributed(t, def, `{"key":"k.csv","prefix":"runs/"}`, inv)
	if info.Status != StatusSucceeded {
		t.Fatalf("status %s %s %s", info.Status, info.Error, info.Cause)
	}
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal(info.Output, &out); err != nil {
		t.Fatal(err)
	}
	runID := out.MapRunArn[strings.LastIndex(out.MapRunArn, ":")+1:]
	if out.ResultWriterDetails.Bucket != "out" || out.ResultWriterDetails.Key != "runs/"+runID+"/manifest.json" {
		t.Errorf("output %s", info.Output)
	}
	if len(inv.calls) != 4 {
		t.Fatalf("%d calls, want 4 (reader, SUCCEEDED, FAILED, manifest)", len(inv.calls))
	}
	reader := inv.calls[0]
	if reader.Resource != resourceS3GetObject || reader.StateName != "M" || string(reader.Input) != `{"Bucket":"in","Key":"k.csv"}` {
		t.Errorf("reader call %+v", reader)
	}
	bodies := map[string]map[string]any{}
	for _, c := range inv.calls[1:] {
		if c.Resource != resourceS3PutObject || c.Field != "ResultWriter" || c.StateName != "M" {
			t.Errorf("writer call %+v", c)
		}
		var in struct{ Bucket, Key, Body string }
		if err := json.Unmarshal(c.Input, &in); err != nil {
			t.Fatal(err)
		}
		v, err := decodeValue([]byte(in.Body))
		if err != nil {
			t.Fatalf("%s: body %q", in.Key, in.Body)
		}
		bodies[strings.TrimPrefix(in.Key, "runs/"+runID+"/")] = map[string]any{"v": v}
	}
	succeeded, _ := bodies["SUCCEEDED_0.json"]["v"].([]any)
	failed, _ := bodies["FAILED_0.json"]["v"].([]any)
	if len(succeeded) != 2 || len(failed) != 1 {
		t.Fatalf("files %v", bodies)
	}
	rec := succeeded[0].(map[string]any)
	if rec["Status"] != "SUCCEEDED" || rec["Output"] != `{"n":"1"}` || !strings.HasPrefix(rec["ExecutionArn"].(string), "arn:aws:states:us-east-1:123456789012:execution:orders/M:") {
		t.Errorf("succeeded record %v", rec)
	}
	if f := failed[0].(map[string]any); f["Error"] != "Two" || f["Cause"] != "no twos" || f["Status"] != "FAILED" {
		t.Errorf("failed record %v", f)
	}
	manifest := fmt.Sprint(bodies["manifest.json"]["v"])
	for _, want := range []string{"DestinationBucket:out", "MapRunArn:" + out.MapRunArn, "runs/" + runID + "/SUCCEEDED_0.json", "runs/" + runID + "/FAILED_0.json"} {
		if !strings.Contains(manifest, want) {
			t.Errorf("manifest %s lacks %s", manifest, want)
		}
	}
}
