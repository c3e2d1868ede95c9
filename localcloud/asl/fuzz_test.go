package asl

import (
	"testing"
)

var fuzzData = map[string]any{
	"a": []any{int64Num(1), "two", map[string]any{"b": true}},
	"s": "hello, world",
	"n": int64Num(42),
	"o": map[string]any{"x-y": nil, "k": []any{}},
}

var fuzzCtx = map[string]any{"Execution": map[string]any{"Id": "arn", "Input": fuzzData}}

func int64Num(n int64) any { return intValue(n) }

// FuzzPath checks that no path text makes the path parser, the evaluator
// or the ResultPath writer panic.
func FuzzPath(f *testing.F) {
	for _, s := range []string{
		"$", "$$", "$.a", "$.a[0]", "$.a[-1]", "$.a[*].b", "$..b", "$.o['x-y']", `$.o["k"]`,
		"$.a[?(@.b == true)]", "$.a[0:2]", "$$.Execution.Input.s", "$.x-y.z", "$.1abc", "$[", "$.a[?(@.b > ]",
		"$['a','s']", "$.", "$..", "$.a..b", "$.a[1:]", "$.o.k.length", "$.é",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cp, err := compilePath(s); err == nil {
			selectPath(cp, fuzzData, fuzzCtx)
		}
		if segs, err := parseRefPath(s); err == nil {
			_, _ = applyResultPath(OptionalPath{Set: true, Path: s}, fuzzData, "r")
			_ = segs
		}
		_, _ = evalPath(s, fuzzData, fuzzCtx)
	})
}

// FuzzIntrinsic checks that no call text makes the intrinsic parser or
// evaluator panic, and that a call that parses has a known function.
func FuzzIntrinsic(f *testing.F) {
	for _, s := range []string{
		"States.Format('Hello, {}', $.s)", `States.Format('\{\} {}', States.Array(1, 'a', true, null))`,
		"States.StringToJson($.s)", "States.JsonToString($.o)", "States.ArrayPartition($.a, 2)",
		"States.ArrayContains($.a, 'two')", "States.ArrayRange(1, 9, 2)", "States.ArrayGetItem($.a, 1)",
		"States.ArrayLength($.a)", "States.ArrayUnique(States.Array(1, 1, 2))", "States.Base64Encode($.s)",
		"States.Base64Decode('aGk=')", "States.Hash($.s, 'SHA-256')", "States.JsonMerge($.o, $.o, false)",
		"States.MathRandom(1, 10, 3)", "States.MathAdd($.n, -1.5)", "States.StringSplit($.s, ', ')", "States.UUID()",
		"States.Format('{}', $$.Execution.Id)", "States.Array(", "States.Format('", "States.ArrayRange(0, 1e9, 1)",
		"States.Array(States.Array(States.Array()))", "States.Format('{}', $.a[?(@ == 'x,y')])",
	} {
		f.Add(s)
	}
	env := &evalEnv{uuid: func() string { return "u" }, random: func(lo, _ int64) int64 { return lo }}
	f.Fuzz(func(t *testing.T, s string) {
		call, err := parseIntrinsic(s)
		if err != nil {
			return
		}
		if _, ok := intrinsics[call.name]; !ok {
			t.Fatalf("parsed an unknown function %q", call.name)
		}
		_, _ = call.eval(fuzzData, fuzzCtx, env)
	})
}
