package jsonscan

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
)

// walk decodes any JSON text into generic values with a Decoder, as
// encoding/json decodes into any.
func walk(d *Decoder) (any, bool) {
	switch d.Peek() {
	case '{':
		d.BeginObject()
		m := map[string]any{}
		for d.NextMember() {
			k, esc, ok := d.Key()
			if !ok {
				return nil, false
			}
			v, ok := walk(d)
			if !ok {
				return nil, false
			}
			m[Unquote(k, esc)] = v
		}
		return m, d.OK()
	case '[':
		d.BeginArray()
		a := []any{}
		for d.NextElement() {
			v, ok := walk(d)
			if !ok {
				return nil, false
			}
			a = append(a, v)
		}
		return a, d.OK()
	case '"':
		s, esc, ok := d.String()
		return Unquote(s, esc), ok
	case 'n':
		return nil, d.Null()
	case 't', 'f':
		raw, ok := d.Skip()
		return string(raw) == "true", ok
	default:
		raw, ok := d.Number()
		if !ok {
			return nil, false
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		return f, err == nil
	}
}

func TestDecoderWalkMatchesEncodingJSON(t *testing.T) {
	for _, s := range corpus {
		var want any
		wantErr := json.Unmarshal([]byte(s), &want)
		d := NewDecoder([]byte(s))
		got, ok := walk(&d)
		ok = ok && d.End()
		if ok != (wantErr == nil) {
			t.Errorf("%q: walk ok = %v, encoding/json error %v", s, ok, wantErr)
			continue
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: walk = %#v, encoding/json = %#v", s, got, want)
		}
	}
}

func TestDecoderRefusesWhatIsNotExpected(t *testing.T) {
	tests := []struct {
		doc  string
		read func(d *Decoder) bool
	}{
		{`[1}`, func(d *Decoder) bool {
			d.BeginArray()
			for d.NextElement() {
				d.Number()
			}
			return d.End()
		}},
		{`{"a":1}`, func(d *Decoder) bool { return d.BeginArray() }},
		{`{"a" 1}`, func(d *Decoder) bool {
			d.BeginObject()
			d.NextMember()
			_, _, ok := d.Key()
			return ok
		}},
		{`"s"`, func(d *Decoder) bool { _, ok := d.Number(); return ok }},
		{`[1] x`, func(d *Decoder) bool { d.Skip(); return d.End() }},
		{`[1`, func(d *Decoder) bool {
			d.BeginArray()
			for d.NextElement() {
				d.Number()
			}
			return d.End()
		}},
	}
	for _, tt := range tests {
		d := NewDecoder([]byte(tt.doc))
		if tt.read(&d) || d.OK() {
			t.Errorf("%s: the walk succeeded, want a refusal", tt.doc)
		}
	}
}
