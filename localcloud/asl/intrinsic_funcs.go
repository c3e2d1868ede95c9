package asl

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"
)

// evalEnv carries what non-deterministic intrinsics draw from, so tests can
// make them repeatable.
type evalEnv struct {
	uuid   func() string
	random func(lo, hi int64) int64
}

func defaultEnv() *evalEnv {
	return &evalEnv{uuid: newUUID, random: func(lo, hi int64) int64 { return lo + mrand.Int64N(hi-lo) }}
}

type intrinsicFunc func(c *intrinsicCall, args []any, env *evalEnv) (any, error)

var intrinsics map[string]intrinsicFunc

func init() {
	intrinsics = map[string]intrinsicFunc{
		"States.Format":         fnFormat,
		"States.StringToJson":   fnStringToJSON,
		"States.JsonToString":   fnJSONToString,
		"States.Array":          fnArray,
		"States.ArrayPartition": fnArrayPartition,
		"States.ArrayContains":  fnArrayContains,
		"States.ArrayRange":     fnArrayRange,
		"States.ArrayGetItem":   fnArrayGetItem,
		"States.ArrayLength":    fnArrayLength,
		"States.ArrayUnique":    fnArrayUnique,
		"States.Base64Encode":   fnBase64Encode,
		"States.Base64Decode":   fnBase64Decode,
		"States.Hash":           fnHash,
		"States.JsonMerge":      fnJSONMerge,
		"States.MathRandom":     fnMathRandom,
		"States.MathAdd":        fnMathAdd,
		"States.StringSplit":    fnStringSplit,
		"States.UUID":           fnUUID,
	}
}

// maxIntrinsicString is the input size limit Step Functions puts on the
// encoding and hashing functions.
const maxIntrinsicString = 10000

func argString(args []any, i int, what string) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", what, jsonType(args[i]))
	}
	return s, nil
}

func argArray(args []any, i int, what string) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, got %s", what, jsonType(args[i]))
	}
	return a, nil
}

// argInt reads a number argument, rounding a fraction to the nearest
// integer as Step Functions does for its math and range functions.
func argInt(args []any, i int, what string) (int64, error) {
	f, ok := toFloat(args[i])
	if !ok {
		return 0, fmt.Errorf("%s must be a number, got %s", what, jsonType(args[i]))
	}
	r := math.Floor(f + 0.5)
	if math.Abs(r) > 1<<53 {
		return 0, fmt.Errorf("%s is out of range", what)
	}
	return int64(r), nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func intValue(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func fnFormat(c *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	var parts []string
	if c.args[0].isLit {
		parts = c.args[0].format
	} else {
		t, err := argString(args, 0, "the template")
		if err != nil {
			return nil, err
		}
		parts = strings.Split(t, "{}")
	}
	if len(parts)-1 != len(args)-1 {
		return nil, fmt.Errorf("the template has %d placeholder(s) but %d value(s) were given", len(parts)-1, len(args)-1)
	}
	var b strings.Builder
	b.WriteString(parts[0])
	for i, v := range args[1:] {
		writeFormatValue(&b, v)
		b.WriteString(parts[i+1])
	}
	return b.String(), nil
}

// writeFormatValue renders a States.Format argument as Step Functions does:
// strings as they are, numbers and literals as JSON, objects as
// {key=value, …} with the keys in order and arrays as [a, b, …],
// recursively.
func writeFormatValue(b *strings.Builder, v any) {
	switch t := v.(type) {
	case string:
		b.WriteString(t)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range orderedKeys(t) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeFormatValue(b, t[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeFormatValue(b, e)
		}
		b.WriteByte(']')
	default:
		b.Write(encodeValue(t))
	}
}

func fnStringToJSON(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	s, err := argString(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	v, err := decodeValue([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("the string is not valid JSON: %v", err)
	}
	return v, nil
}

func fnJSONToString(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	return encodeText(args[0]), nil
}

func fnArray(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func fnArrayPartition(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	arr, err := argArray(args, 0, "the first argument")
	if err != nil {
		return nil, err
	}
	size, err := argInt(args, 1, "the chunk size")
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, errors.New("the chunk size must be a positive integer")
	}
	out := []any{}
	for i := 0; i < len(arr); i += int(size) {
		end := min(i+int(size), len(arr))
		chunk := make([]any, end-i)
		copy(chunk, arr[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func fnArrayContains(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	arr, err := argArray(args, 0, "the first argument")
	if err != nil {
		return nil, err
	}
	for _, e := range arr {
		if valuesEqual(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

// maxArrayRange is the largest array States.ArrayRange produces.
const maxArrayRange = 1000

func fnArrayRange(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	start, err := argInt(args, 0, "the start")
	if err != nil {
		return nil, err
	}
	end, err := argInt(args, 1, "the end")
	if err != nil {
		return nil, err
	}
	step, err := argInt(args, 2, "the step")
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, errors.New("the step must not be 0")
	}
	out := []any{}
	for v := start; step > 0 && v <= end || step < 0 && v >= end; v += step {
		if len(out) == maxArrayRange {
			return nil, fmt.Errorf("the range has more than %d elements", maxArrayRange)
		}
		out = append(out, intValue(v))
	}
	return out, nil
}

func fnArrayGetItem(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	arr, err := argArray(args, 0, "the first argument")
	if err != nil {
		return nil, err
	}
	f, ok := toFloat(args[1])
	if !ok || f != math.Trunc(f) {
		return nil, fmt.Errorf("the index must be an integer, got %s", encodeValue(args[1]))
	}
	if f < 0 || int(f) >= len(arr) {
		return nil, fmt.Errorf("the index %d is out of bounds for an array of length %d", int64(f), len(arr))
	}
	return arr[int(f)], nil
}

func fnArrayLength(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	arr, err := argArray(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	return intValue(int64(len(arr))), nil
}

func fnArrayUnique(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	arr, err := argArray(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	out := []any{}
	seen := map[string]bool{}
	for _, e := range arr {
		k := string(encodeSorted(canonical(e)))
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func fnBase64Encode(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	s, err := argString(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	if len([]rune(s)) > maxIntrinsicString {
		return nil, fmt.Errorf("the input is longer than %d characters", maxIntrinsicString)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	s, err := argString(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	if len(s) > maxIntrinsicString {
		return nil, fmt.Errorf("the input is longer than %d characters", maxIntrinsicString)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the input is not valid base64: %v", err)
	}
	return string(b), nil
}

func fnHash(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	var data string
	if s, ok := args[0].(string); ok {
		data = s
	} else {
		data = encodeText(args[0])
	}
	if len([]rune(data)) > maxIntrinsicString {
		return nil, fmt.Errorf("the input is longer than %d characters", maxIntrinsicString)
	}
	alg, err := argString(args, 1, "the algorithm")
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported hash algorithm %q (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	if !ok1 || !ok2 {
		return nil, errors.New("both objects to merge must be JSON objects")
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, errors.New("the third argument must be a boolean")
	}
	if deep {
		return nil, errors.New("deep merging is not supported; pass false for a shallow merge")
	}
	// The first object's keys keep their places, the second's new keys
	// follow in their order.
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	setKeyOrder(out, append(orderedKeys(a), orderedKeys(b)...))
	return out, nil
}

func fnMathRandom(_ *intrinsicCall, args []any, env *evalEnv) (any, error) {
	lo, err := argInt(args, 0, "the start")
	if err != nil {
		return nil, err
	}
	hi, err := argInt(args, 1, "the end")
	if err != nil {
		return nil, err
	}
	if len(args) == 3 {
		if _, err := argInt(args, 2, "the seed"); err != nil {
			return nil, err
		}
	}
	if hi <= lo {
		return nil, errors.New("the end must be greater than the start")
	}
	if len(args) == 3 {
		seed, _ := argInt(args, 2, "the seed")
		r := mrand.New(mrand.NewPCG(uint64(seed), 0))
		return intValue(lo + r.Int64N(hi-lo)), nil
	}
	return intValue(env.random(lo, hi)), nil
}

func fnMathAdd(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	a, err := argInt(args, 0, "the first value")
	if err != nil {
		return nil, err
	}
	b, err := argInt(args, 1, "the second value")
	if err != nil {
		return nil, err
	}
	return intValue(a + b), nil
}

func fnStringSplit(_ *intrinsicCall, args []any, _ *evalEnv) (any, error) {
	s, err := argString(args, 0, "the string to split")
	if err != nil {
		return nil, err
	}
	delims, err := argString(args, 1, "the delimiters")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, f)
	}
	return out, nil
}

func fnUUID(_ *intrinsicCall, _ []any, env *evalEnv) (any, error) {
	return env.uuid(), nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// canonical rewrites numbers to a single form so that 1, 1.0 and 1e0 compare
// equal.
func canonical(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return string(t)
		}
		return f
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = canonical(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = canonical(e)
		}
		inheritKeyOrder(out, t)
		return out
	}
	return v
}

// valuesEqual compares two JSON values, numbers by value.
func valuesEqual(a, b any) bool {
	return string(encodeSorted(canonical(a))) == string(encodeSorted(canonical(b)))
}
