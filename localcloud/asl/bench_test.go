package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// passChain builds a definition of n Pass states in a row.
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Parameters":{"i":%d,"prev.$":"$.i"},"End":true}`, i, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Parameters":{"i":%d,"prev.$":"$.i"},"Next":"S%d"}`, i, i, i+1)
		}
	}
	b.WriteString(`}}`)
	return b.String()
}

func runToEnd(b *testing.B, e *Engine, sm *StateMachine, input string) ExecutionInfo {
	arn, err := e.Start(StartInput{StateMachine: sm, Input: json.RawMessage(input)})
	if err != nil {
		b.Fatal(err)
	}
	info, err := e.Wait(context.Background(), arn)
	if err != nil || info.Status != StatusSucceeded {
		b.Fatalf("%v %s %s %s", err, info.Status, info.Error, info.Cause)
	}
	return info
}

// BenchmarkPassChain reports state transitions per second along a chain of
// 1,000 Pass states.
func BenchmarkPassChain(b *testing.B) {
	const n = 1000
	e := NewEngine(Options{})
	sm, err := e.NewStateMachine("chain", []byte(passChain(n)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		runToEnd(b, e, sm, `{"i":-1}`)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "transitions/s")
}

// BenchmarkMap10000 reports state transitions per second for a Map over
// 10,000 items, each iteration one Pass state with an ItemSelector.
func BenchmarkMap10000(b *testing.B) {
	const n = 10000
	// Step Functions would stop such a Map at 25,000 history events; the
	// benchmark measures the interpreter, so the limit is lifted.
	e := NewEngine(Options{MaxHistoryEvents: -1})
	sm, err := e.NewStateMachine("map", []byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
	  "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
	  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"double.$":"States.MathAdd($.v, $.v)"},"End":true}}},"End":true}}}`))
	if err != nil {
		b.Fatal(err)
	}
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	in, _ := json.Marshal(map[string]any{"items": items})
	b.ResetTimer()
	for range b.N {
		info := runToEnd(b, e, sm, string(in))
		if len(info.Output) < n {
			b.Fatal("short output")
		}
	}
	// One transition into the Map plus one per iteration's Pass state.
	b.ReportMetric(float64((n+1)*b.N)/b.Elapsed().Seconds(), "transitions/s")
}

func TestPassChainRunsToTheEnd(t *testing.T) {
	e := NewEngine(Options{})
	arn := mustStart(t, e, passChain(50), `{"i":-1}`)
	info := mustWait(t, e, arn)
	assertJSON(t, info.Output, `{"i":49,"prev":48}`)
}
