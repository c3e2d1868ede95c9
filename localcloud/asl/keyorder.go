package asl

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"unsafe"
	"weak"
)

// Step Functions keeps the keys of an object in order: an input object in
// the order it arrived, an object built from a template in the template's
// order, a key added by ResultPath or States.JsonMerge at the end. Payloads
// here are plain map[string]any values (the JSONPath library evaluates
// them as they are), so the order of an object's keys is kept beside it:
// keyOrders maps an object to its keys in order, and encodeValue writes an
// object's keys in that order when the recorded keys are exactly the
// object's keys, sorted otherwise. An object only reaches the table through
// a weak pointer, so the table never keeps an object alive, and entries of
// collected objects are swept as the table grows.
var keyOrders = struct {
	sync.Mutex
	m       map[uintptr]orderEntry
	sweepAt int
}{m: map[uintptr]orderEntry{}, sweepAt: minSweep}

// minSweep is the table size below which dead entries are left in place.
const minSweep = 1024

type orderEntry struct {
	obj  weak.Pointer[byte]
	keys []string
}

// objectPointer is the address of the object a map value refers to: the
// same for every copy of the map value, for as long as the object lives.
func objectPointer(m map[string]any) unsafe.Pointer {
	return reflect.ValueOf(m).UnsafePointer()
}

// setKeyOrder records the order of m's keys. keys may repeat a name (the
// first place counts); it is ignored unless its names are exactly m's keys.
func setKeyOrder(m map[string]any, keys []string) {
	if len(m) < 2 {
		return
	}
	uniq := make([]string, 0, len(m))
	var seen map[string]bool // for a few keys, uniq is searched instead
	if len(keys) > 16 {
		seen = make(map[string]bool, len(m))
	}
	for _, k := range keys {
		if seen != nil && seen[k] || seen == nil && slices.Contains(uniq, k) {
			continue
		}
		if _, ok := m[k]; !ok {
			return
		}
		if seen != nil {
			seen[k] = true
		}
		uniq = append(uniq, k)
	}
	if len(uniq) != len(m) {
		return
	}
	p := objectPointer(m)
	if slices.IsSorted(uniq) {
		// Keys in sorted order need no entry: an object without one is
		// written sorted. One recorded before (a repeated key's earlier
		// value, decoded into the same object) goes.
		keyOrders.Lock()
		delete(keyOrders.m, uintptr(p))
		keyOrders.Unlock()
		return
	}
	e := orderEntry{obj: weak.Make((*byte)(p)), keys: uniq}
	keyOrders.Lock()
	defer keyOrders.Unlock()
	keyOrders.m[uintptr(p)] = e
	if len(keyOrders.m) >= keyOrders.sweepAt {
		sweepKeyOrders()
	}
}

// sweepKeyOrders drops the entries of collected objects. The caller holds
// keyOrders' lock.
func sweepKeyOrders() {
	for a, e := range keyOrders.m {
		if e.obj.Value() == nil {
			delete(keyOrders.m, a)
		}
	}
	keyOrders.sweepAt = max(minSweep, 2*len(keyOrders.m))
}

// recordedOrder returns m's keys in their recorded order, or nil when no
// order is recorded for m or m's keys changed since.
func recordedOrder(m map[string]any) []string {
	if len(m) < 2 {
		return nil
	}
	p := objectPointer(m)
	keyOrders.Lock()
	e, ok := keyOrders.m[uintptr(p)]
	keyOrders.Unlock()
	if !ok || e.obj.Value() != (*byte)(p) || len(e.keys) != len(m) {
		return nil
	}
	// The recorded keys are distinct, so the same count and every one
	// present means the same set.
	for _, k := range e.keys {
		if _, ok := m[k]; !ok {
			return nil
		}
	}
	// Clipped, so that a caller appending to it gets a copy.
	return slices.Clip(e.keys)
}

// orderedKeys returns m's keys in their recorded order, or sorted.
func orderedKeys(m map[string]any) []string {
	if keys := recordedOrder(m); keys != nil {
		return keys
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// inheritKeyOrder gives dst, a copy of src with the same keys, src's order.
func inheritKeyOrder(dst, src map[string]any) {
	if keys := recordedOrder(src); keys != nil {
		setKeyOrder(dst, keys)
	}
}

// recordKeyOrders reads the JSON text b again alongside v, the value
// decoded from it, and records the key order of every object in v.
func recordKeyOrders(b []byte, v any) {
	if bytes.IndexByte(b, '{') < 0 {
		return
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	_ = walkKeyOrders(d, v)
}

func walkKeyOrders(d *json.Decoder, v any) error {
	if !holdsObject(v) {
		// Nothing to record inside: skip the value in one step rather
		// than token by token (an input's long arrays of numbers).
		var skip json.RawMessage
		return d.Decode(&skip)
	}
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		m, _ := v.(map[string]any)
		var keys []string
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			keys = append(keys, k)
			// With a repeated key the value decoded is the last one; an
			// earlier one's order is recorded and then replaced.
			if err := walkKeyOrders(d, m[k]); err != nil {
				return err
			}
		}
		if _, err := d.Token(); err != nil {
			return err
		}
		if m != nil {
			setKeyOrder(m, keys)
		}
	case json.Delim('['):
		a, _ := v.([]any)
		for i := 0; d.More(); i++ {
			var e any
			if i < len(a) {
				e = a[i]
			}
			if err := walkKeyOrders(d, e); err != nil {
				return err
			}
		}
		if _, err := d.Token(); err != nil {
			return err
		}
	}
	return nil
}

// holdsObject reports whether v is or contains an object.
func holdsObject(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return true
	case []any:
		return slices.ContainsFunc(t, holdsObject)
	}
	return false
}

// encodeValue encodes a value as compact JSON without HTML escaping, as
// Step Functions writes it, with each object's keys in their recorded
// order.
func encodeValue(v any) []byte {
	e := getEncoder()
	defer putEncoder(e)
	writeValue(&e.buf, e.enc, v)
	return bytes.Clone(e.buf.Bytes())
}

// encodeText is encodeValue as a string, for history events.
func encodeText(v any) string {
	e := getEncoder()
	defer putEncoder(e)
	writeValue(&e.buf, e.enc, v)
	return e.buf.String()
}

// valueEncoder is a buffer and an encoder writing to it, reused across
// encodeValue calls: a state's input and output are encoded for its
// events at every transition.
type valueEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &valueEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

func getEncoder() *valueEncoder {
	e := encoders.Get().(*valueEncoder)
	e.buf.Reset()
	return e
}

// putEncoder returns e to the pool unless it grew past what a state's
// payload needs (a Map's whole output), so the pool holds little memory.
func putEncoder(e *valueEncoder) {
	if e.buf.Cap() <= MaxPayloadSize {
		encoders.Put(e)
	}
}

func writeValue(buf *bytes.Buffer, enc *json.Encoder, v any) {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			buf.WriteString("null")
			return
		}
		buf.WriteByte('{')
		if len(t) == 1 {
			// One key has one order; no need to look it up.
			for k, v := range t {
				writeString(buf, enc, k)
				buf.WriteByte(':')
				writeValue(buf, enc, v)
			}
			buf.WriteByte('}')
			return
		}
		for i, k := range orderedKeys(t) {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, enc, k)
			buf.WriteByte(':')
			writeValue(buf, enc, t[k])
		}
		buf.WriteByte('}')
	case []any:
		if t == nil {
			buf.WriteString("null")
			return
		}
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeValue(buf, enc, e)
		}
		buf.WriteByte(']')
	default:
		writeScalar(buf, enc, v)
	}
}

// writeScalar writes any other value as encoding/json does. The common
// cases (numbers as decoded, plain ASCII strings, booleans, null) are
// written directly.
func writeScalar(buf *bytes.Buffer, enc *json.Encoder, v any) {
	switch t := v.(type) {
	case nil:
		buf.WriteString("null")
		return
	case bool:
		buf.WriteString(strconv.FormatBool(t))
		return
	case json.Number:
		// Numbers come from the decoder or from integer arithmetic, so
		// they are valid; encoding/json writes an empty one as 0.
		if t != "" {
			buf.WriteString(string(t))
			return
		}
	case string:
		writeString(buf, enc, t)
		return
	}
	if err := enc.Encode(v); err != nil {
		// Values come from decodeValue or are built from JSON types, so
		// encoding cannot fail; a failure here is a bug.
		panic("asl: encode value: " + err.Error())
	}
	buf.Truncate(buf.Len() - 1) // the newline Encode ends with
}

// writeString writes a string (a value or an object's key) as
// encoding/json does.
func writeString(buf *bytes.Buffer, enc *json.Encoder, s string) {
	if plainASCII(s) {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	if err := enc.Encode(s); err != nil {
		panic("asl: encode string: " + err.Error())
	}
	buf.Truncate(buf.Len() - 1) // the newline Encode ends with
}

// plainASCII reports whether encoding/json writes s unescaped: printable
// ASCII without quotes or backslashes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// encodeSorted encodes a value with every object's keys sorted: a form
// that compares equal for equal values whatever their key order.
func encodeSorted(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	writeScalar(&buf, enc, v)
	return buf.Bytes()
}
