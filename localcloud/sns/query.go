package sns

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
)

// indexed returns the numbered groups of parameters under prefix
// (prefix.1.X, prefix.2.X, …) as maps of their remaining keys, in order.
func indexed(form url.Values, prefix string) []map[string]string {
	groups := map[int]map[string]string{}
	for k, v := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(v) == 0 {
			continue
		}
		n, field, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if groups[i] == nil {
			groups[i] = map[string]string{}
		}
		groups[i][field] = v[0]
	}
	out := make([]map[string]string, 0, len(groups))
	for i := 1; len(out) < len(groups); i++ {
		if g, ok := groups[i]; ok {
			out = append(out, g)
		}
		if i > 1000 {
			break
		}
	}
	return out
}

// entries reads a query map (prefix.entry.N.key / .value).
func entries(form url.Values, prefix string) map[string]string {
	m := map[string]string{}
	for _, g := range indexed(form, prefix+".entry") {
		m[g["key"]] = g["value"]
	}
	return m
}

// attributeValue is a message attribute of Publish.
type attributeValue struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// messageAttributes reads prefix.entry.N.Name / .Value.DataType /
// .Value.StringValue / .Value.BinaryValue.
func messageAttributes(form url.Values, prefix string) (map[string]attributeValue, error) {
	out := map[string]attributeValue{}
	for _, g := range indexed(form, prefix+".entry") {
		name := g["Name"]
		v := attributeValue{DataType: g["Value.DataType"], StringValue: g["Value.StringValue"]}
		if name == "" {
			return nil, invalidParameter("The message attribute name must not be empty.")
		}
		switch base, _, _ := strings.Cut(v.DataType, "."); base {
		case "String", "Number":
			if _, ok := g["Value.StringValue"]; !ok {
				return nil, invalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, v.DataType)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(v.StringValue, 64); err != nil {
					return nil, invalidParameter("Could not cast message attribute '%s' value to number.", name)
				}
			}
		case "Binary":
			b, err := base64.StdEncoding.DecodeString(g["Value.BinaryValue"])
			if err != nil || len(b) == 0 {
				return nil, invalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			v.BinaryValue = b
		default:
			return nil, invalidParameter("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		out[name] = v
	}
	return out, nil
}
