package asl

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"reflect"

	"github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jtypes"
)

// The functions Step Functions adds to JSONata ($partition, $range, $hash,
// $random with an optional seed, $uuid, $parse) and the JSONata 2.0
// functions the JSONata library lacks ($base64encode, $base64decode). They
// are registered on each expression, so other users of the library are not
// affected.
var sfnJSONataExts = map[string]jsonata.Extension{
	"partition":    {Func: jsonataPartition},
	"range":        {Func: jsonataRange},
	"hash":         {Func: jsonataHash},
	"random":       {Func: jsonataRandom},
	"uuid":         {Func: newUUID},
	"parse":        {Func: jsonataParse},
	"base64encode": {Func: jsonataBase64Encode},
	"base64decode": {Func: jsonataBase64Decode},
}

// maxJSONataRange is the most items $range produces, as for
// States.ArrayRange.
const maxJSONataRange = 1000

// jsonataArray reads a JSONata argument as an array (a single value is an
// array of one, as JSONata treats sequences).
func jsonataArray(v reflect.Value) []any {
	v = jtypes.Resolve(v)
	if !v.IsValid() {
		return nil
	}
	if jtypes.IsArray(v) {
		out := make([]any, v.Len())
		for i := range out {
			out[i] = v.Index(i).Interface()
		}
		return out
	}
	return []any{v.Interface()}
}

func jsonataPartition(arr reflect.Value, size float64) ([]any, error) {
	if size <= 0 || size != math.Trunc(size) {
		return nil, fmt.Errorf("$partition: the chunk size must be a positive integer, got %v", size)
	}
	items := jsonataArray(arr)
	n := int(size)
	out := []any{}
	for i := 0; i < len(items); i += n {
		end := min(i+n, len(items))
		chunk := make([]any, end-i)
		copy(chunk, items[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func jsonataRange(start, end, step float64) ([]any, error) {
	for _, f := range []float64{start, end, step} {
		if f != math.Trunc(f) {
			return nil, fmt.Errorf("$range: the start, end and step must be integers")
		}
	}
	if step == 0 {
		return nil, errors.New("$range: the step cannot be 0")
	}
	out := []any{}
	for v := start; step > 0 && v <= end || step < 0 && v >= end; v += step {
		if len(out) == maxJSONataRange {
			return nil, fmt.Errorf("$range: the range has more than %d items", maxJSONataRange)
		}
		out = append(out, v)
	}
	return out, nil
}

func jsonataHash(data, algorithm string) (string, error) {
	v, err := fnHash(nil, []any{data, algorithm}, nil)
	if err != nil {
		return "", fmt.Errorf("$hash: %v", err)
	}
	return v.(string), nil
}

func jsonataRandom(seed jtypes.OptionalFloat64) float64 {
	if seed.IsSet() {
		s := uint64(int64(seed.Float64))
		return mrand.New(mrand.NewPCG(s, s^0x9e3779b97f4a7c15)).Float64()
	}
	return mrand.Float64()
}

func jsonataParse(s string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("$parse: the string is not JSON: %v", err)
	}
	return v, nil
}

func jsonataBase64Encode(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}

func jsonataBase64Decode(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("$base64decode: %v", err)
	}
	return string(b), nil
}
