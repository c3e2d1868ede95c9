package dynamodb

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Value is one AttributeValue: exactly one of DynamoDB's data types
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html).
type Value struct {
	// Type is S, N, B, BOOL, NULL, SS, NS, BS, L or M.
	Type string
	// Str holds an S, the normalized text of an N, or the bytes of a B.
	Str string
	// Bool holds a BOOL.
	Bool bool
	// Set holds the members of an SS, NS (normalized) or BS, in the order
	// given.
	Set []string
	// List holds an L.
	List []*Value
	// Map holds an M.
	Map map[string]*Value
}

// Item is a set of attributes by name.
type Item map[string]*Value

// Constructors for the scalar types.
func strValue(s string) *Value { return &Value{Type: "S", Str: s} }
func numValue(n number) *Value { return &Value{Type: "N", Str: n.normalized().String()} }

var valueTypes = []string{"B", "BOOL", "BS", "L", "M", "N", "NS", "NULL", "S", "SS"}

// UnmarshalJSON decodes and validates an AttributeValue, with DynamoDB's
// messages for values it rejects. Each member given is checked before a
// value with several members is refused, as DynamoDB orders its checks.
func (v *Value) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return serialization("Unexpected value type in payload")
	}
	var set []string
	for _, t := range valueTypes {
		if r, ok := raw[t]; ok && string(r) != "null" {
			set = append(set, t)
		}
	}
	if len(set) == 0 {
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	for _, t := range set {
		m, err := parseMember(t, raw[t])
		if err != nil {
			return err
		}
		*v = *m
	}
	if len(set) > 1 {
		return validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	return nil
}

// parseMember decodes one member of an AttributeValue.
func parseMember(typ string, r json.RawMessage) (*Value, error) {
	v := &Value{Type: typ}
	bad := func() error {
		return serialization("Unexpected value type in payload: the %s member of an AttributeValue has the wrong JSON type", typ)
	}
	switch typ {
	case "S":
		if json.Unmarshal(r, &v.Str) != nil {
			return nil, bad()
		}
	case "N":
		var s string
		if json.Unmarshal(r, &s) != nil {
			return nil, bad()
		}
		n, err := canonicalNumber(s)
		if err != nil {
			return nil, err
		}
		v.Str = n
	case "B":
		var s string
		if json.Unmarshal(r, &s) != nil {
			return nil, bad()
		}
		d, err := decodeBase64(s)
		if err != nil {
			return nil, err
		}
		v.Str = d
	case "BOOL", "NULL":
		b, ok := parseBool(r)
		if !ok {
			return nil, bad()
		}
		v.Bool = b
		if typ == "NULL" && !v.Bool {
			return nil, invalidParam("Null attribute value types must have the value of true")
		}
	case "SS", "NS", "BS":
		var members []string
		if json.Unmarshal(r, &members) != nil {
			return nil, bad()
		}
		if len(members) == 0 {
			switch typ {
			case "SS":
				return nil, invalidParam("An string set  may not be empty")
			case "NS":
				return nil, invalidParam("An number set  may not be empty")
			}
			return nil, invalidParam("Binary sets should not be empty")
		}
		raw := append([]string(nil), members...)
		for i, m := range members {
			var err error
			switch typ {
			case "NS":
				members[i], err = canonicalNumber(m)
			case "BS":
				members[i], err = decodeBase64(m)
			}
			if err != nil {
				return nil, err
			}
		}
		seen := make(map[string]bool, len(members))
		for _, m := range members {
			if seen[m] {
				switch typ {
				case "NS":
					return nil, validation("Input collection contains duplicates")
				case "BS":
					return nil, invalidParam("Input collection [%s]of type BS contains duplicates.", strings.Join(raw, ", "))
				}
				return nil, invalidParam("Input collection [%s] contains duplicates.", strings.Join(raw, ", "))
			}
			seen[m] = true
		}
		v.Set = members
	case "L":
		var probe []json.RawMessage
		if json.Unmarshal(r, &probe) != nil {
			return nil, bad()
		}
		v.List = make([]*Value, len(probe))
		for i, p := range probe {
			e := new(Value)
			if err := e.UnmarshalJSON(p); err != nil {
				return nil, err
			}
			v.List[i] = e
		}
	case "M":
		var probe map[string]json.RawMessage
		if json.Unmarshal(r, &probe) != nil {
			return nil, bad()
		}
		v.Map = make(map[string]*Value, len(probe))
		for k, p := range probe {
			e := new(Value)
			if err := e.UnmarshalJSON(p); err != nil {
				return nil, err
			}
			v.Map[k] = e
		}
	}
	return v, nil
}

// parseBool reads a boolean as DynamoDB's request reader does: true or
// false, or a string TRUE/1/YES or FALSE/0/NO in any case.
func parseBool(r json.RawMessage) (value, ok bool) {
	if json.Unmarshal(r, &value) == nil {
		return value, true
	}
	var s string
	if json.Unmarshal(r, &s) != nil {
		return false, false
	}
	switch strings.ToUpper(s) {
	case "TRUE", "1", "YES":
		return true, true
	case "FALSE", "0", "NO":
		return false, true
	}
	return false, false
}

func decodeBase64(s string) (string, error) {
	d, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if len(strings.TrimRight(s, "="))%4 == 1 || len(s)%4 != 0 {
			return "", serialization("Base64 encoded length is expected a multiple of 4 bytes but found: %d", len(s))
		}
		return "", serialization("Invalid Base64 character in binary value: %v", err)
	}
	return string(d), nil
}

// MarshalJSON encodes the value in the wire form.
func (v *Value) MarshalJSON() ([]byte, error) {
	var inner any
	switch v.Type {
	case "S", "N":
		inner = v.Str
	case "B":
		inner = []byte(v.Str)
	case "BOOL", "NULL":
		inner = v.Bool
	case "SS", "NS":
		inner = v.Set
	case "BS":
		bs := make([][]byte, len(v.Set))
		for i, m := range v.Set {
			bs[i] = []byte(m)
		}
		inner = bs
	case "L":
		l := v.List
		if l == nil {
			l = []*Value{}
		}
		inner = l
	case "M":
		m := v.Map
		if m == nil {
			m = map[string]*Value{}
		}
		inner = m
	default:
		return nil, fmt.Errorf("attribute value of unknown type %q", v.Type)
	}
	return json.Marshal(map[string]any{v.Type: inner})
}

// equal reports whether two values are the same (sets regardless of order).
func (v *Value) equal(o *Value) bool {
	if v.Type != o.Type {
		return false
	}
	switch v.Type {
	case "S", "B", "N":
		return v.Str == o.Str
	case "BOOL", "NULL":
		return v.Bool == o.Bool
	case "SS", "NS", "BS":
		if len(v.Set) != len(o.Set) {
			return false
		}
		for _, m := range v.Set {
			if !containsString(o.Set, m) {
				return false
			}
		}
		return true
	case "L":
		if len(v.List) != len(o.List) {
			return false
		}
		for i := range v.List {
			if !v.List[i].equal(o.List[i]) {
				return false
			}
		}
		return true
	case "M":
		if len(v.Map) != len(o.Map) {
			return false
		}
		for k, e := range v.Map {
			oe, ok := o.Map[k]
			if !ok || !e.equal(oe) {
				return false
			}
		}
		return true
	}
	return false
}

// compare orders two scalars of the same type (S, N or B) as DynamoDB
// orders keys: numbers by value, strings and binaries by their bytes. ok
// is false for values that have no order between them.
func compare(a, b *Value) (c int, ok bool) {
	if a.Type != b.Type {
		return 0, false
	}
	switch a.Type {
	case "N":
		return mustNumber(a.Str).cmp(mustNumber(b.Str)), true
	case "S", "B":
		return strings.Compare(a.Str, b.Str), true
	}
	return 0, false
}

// clone deep-copies a value, so stored items never share memory with
// requests and responses.
func (v *Value) clone() *Value {
	c := *v
	if v.Set != nil {
		c.Set = append([]string(nil), v.Set...)
	}
	if v.List != nil {
		c.List = make([]*Value, len(v.List))
		for i, e := range v.List {
			c.List[i] = e.clone()
		}
	}
	if v.Map != nil {
		c.Map = make(map[string]*Value, len(v.Map))
		for k, e := range v.Map {
			c.Map[k] = e.clone()
		}
	}
	return &c
}

func (it Item) clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.clone()
	}
	return c
}

// size is the value's size as DynamoDB counts it towards the 400 KB item
// limit
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
func (v *Value) size() int {
	switch v.Type {
	case "S", "B":
		return len(v.Str)
	case "N":
		return numberSize(v.Str)
	case "BOOL", "NULL":
		return 1
	case "SS", "BS":
		n := 0
		for _, m := range v.Set {
			n += len(m)
		}
		return n
	case "NS":
		n := 0
		for _, m := range v.Set {
			n += numberSize(m)
		}
		return n
	case "L":
		n := 3
		for _, e := range v.List {
			n += e.size() + 1
		}
		return n
	case "M":
		n := 3
		for k, e := range v.Map {
			n += len(k) + e.size() + 1
		}
		return n
	}
	return 0
}

// numberSize approximates a number's stored size: one byte per two
// significant digits plus one.
func numberSize(s string) int {
	first, last := -1, -1
	for i := 0; i < len(s); i++ {
		if s[i] >= '1' && s[i] <= '9' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 1
	}
	digits := 0
	for i := first; i <= last; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	return (digits+1)/2 + 1
}

// size is the item's size: attribute names plus values.
func (it Item) size() int {
	n := 0
	for k, v := range it {
		n += len(k) + v.size()
	}
	return n
}

// keyString encodes a scalar key value so that equal keys have equal
// strings (map keys of the store).
func keyString(v *Value) string {
	return v.Type + ":" + v.Str
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
