package dynamodb

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode"
)

// checkShape checks a request body against the Go type it decodes into and
// reports a member of the wrong JSON type with the SerializationException
// DynamoDB's request reader sends for it (such as "TRUE_VALUE cannot be
// converted to String"), before json.Unmarshal would fail with a Go
// message.
func checkShape(body []byte, t reflect.Type) *Error {
	var v any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return serialization("the request body is not JSON: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return serialization("Start of list found where not expected")
	}
	return shapeOf(v, t, "")
}

var valueType = reflect.TypeOf(Value{})

// shapeOf checks v against t; name is the shape's name for messages about
// structures and maps.
func shapeOf(v any, t reflect.Type, name string) *Error {
	if v == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	_, isList := v.([]any)
	_, isMap := v.(map[string]any)
	switch {
	case t == valueType:
		switch {
		case isList:
			return serialization("Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue")
		case !isMap:
			return serialization("Unexpected value type in payload")
		}
		return valueShape(v.(map[string]any))
	case t.Kind() == reflect.String:
		return scalarShape(v, "String")
	case t.Kind() == reflect.Bool:
		if s, ok := v.(string); ok {
			if containsString([]string{"TRUE", "FALSE", "1", "0", "YES", "NO"}, strings.ToUpper(s)) {
				return nil
			}
			return serialization("Unexpected token received from parser")
		}
		return scalarShape(v, "Boolean")
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int32:
		return scalarShape(v, "Integer")
	case t.Kind() == reflect.Int64:
		return scalarShape(v, "Long")
	case t.Kind() == reflect.Slice:
		if isMap {
			return serialization("Start of structure or map found where not expected")
		}
		if !isList {
			return serialization("Unexpected field type")
		}
		for _, e := range v.([]any) {
			if err := shapeOf(e, t.Elem(), t.Elem().Name()); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map:
		if isList {
			return serialization("Unrecognized collection type java.util.Map<java.lang.String, %s>", javaName(t.Elem()))
		}
		if !isMap {
			return serialization("Unexpected field type")
		}
		for _, e := range v.(map[string]any) {
			if err := shapeOf(e, t.Elem(), ""); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Struct:
		if isList {
			return serialization("Unrecognized collection type class com.amazonaws.dynamodb.v20120810.%s", shapeName(t, name))
		}
		if !isMap {
			return serialization("Unexpected field type")
		}
		return structShape(v.(map[string]any), t)
	}
	return nil
}

func structShape(m map[string]any, t reflect.Type) *Error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			if err := structShape(m, f.Type); err != nil {
				return err
			}
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" {
			continue
		}
		if err := shapeOf(m[key], f.Type, key); err != nil {
			return err
		}
	}
	return nil
}

// valueShape checks the members of an AttributeValue.
func valueShape(m map[string]any) *Error {
	for k, v := range m {
		var err *Error
		switch k {
		case "S", "N":
			err = scalarShape(v, "String")
		case "B":
			err = blobShape(v)
		case "BOOL", "NULL":
			err = shapeOf(v, reflect.TypeOf(false), "")
		case "SS", "NS", "BS", "L":
			if v == nil {
				continue
			}
			l, ok := v.([]any)
			if !ok {
				if _, isMap := v.(map[string]any); isMap {
					return serialization("Start of structure or map found where not expected")
				}
				return serialization("Unexpected field type")
			}
			for _, e := range l {
				switch k {
				case "BS":
					err = blobShape(e)
				case "L":
					err = shapeOf(e, valueType, "")
				default:
					err = scalarShape(e, "String")
				}
				if err != nil {
					return err
				}
			}
		case "M":
			err = shapeOf(v, reflect.TypeOf(map[string]*Value{}), "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// scalarShape reports a JSON value that is not of the scalar type java.
func scalarShape(v any, java string) *Error {
	switch x := v.(type) {
	case bool:
		if java == "Boolean" {
			return nil
		}
		if x {
			return serialization("TRUE_VALUE cannot be converted to %s", java)
		}
		return serialization("FALSE_VALUE cannot be converted to %s", java)
	case json.Number:
		if java == "Integer" || java == "Long" {
			return nil
		}
		if strings.ContainsAny(string(x), ".eE") {
			return serialization("DECIMAL_VALUE cannot be converted to %s", java)
		}
		return serialization("NUMBER_VALUE cannot be converted to %s", java)
	case string:
		if java == "String" {
			return nil
		}
		return serialization("STRING_VALUE cannot be converted to %s", java)
	case []any:
		return serialization("Unrecognized collection type class java.lang.%s", java)
	case map[string]any:
		return serialization("Start of structure or map found where not expected")
	}
	return nil
}

func blobShape(v any) *Error {
	switch v.(type) {
	case string:
		return nil
	case []any:
		return serialization("Unrecognized collection type class java.nio.ByteBuffer")
	case map[string]any:
		return serialization("Start of structure or map found where not expected")
	}
	return serialization("only base-64-encoded strings are convertible to bytes")
}

// javaName names a map's value type as the service's messages do.
func javaName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == valueType:
		return "com.amazonaws.dynamodb.v20120810.AttributeValue"
	case t.Kind() == reflect.String:
		return "java.lang.String"
	case t.Kind() == reflect.Slice:
		return "java.util.List<" + javaName(t.Elem()) + ">"
	}
	return "com.amazonaws.dynamodb.v20120810." + shapeName(t, "")
}

// shapeName is the service model's name of a structure: its Go type name
// with a capital, or the member name for an unnamed structure.
func shapeName(t reflect.Type, member string) string {
	n := t.Name()
	if n == "" {
		n = member
	}
	if n == "" {
		return "Object"
	}
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return strings.TrimSuffix(string(r), "Input")
}
