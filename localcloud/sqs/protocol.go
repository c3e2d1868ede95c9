package sqs

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

type operation func(ctx context.Context, body []byte) (any, error)

func (s *Service) operations() map[string]operation {
	return map[string]operation{
		"CreateQueue":                  jsonOp(s.createQueue),
		"GetQueueUrl":                  jsonOp(s.getQueueURL),
		"DeleteQueue":                  jsonOp(s.deleteQueue),
		"PurgeQueue":                   jsonOp(s.purgeQueue),
		"ListQueues":                   jsonOp(s.listQueues),
		"GetQueueAttributes":           jsonOp(s.getQueueAttributes),
		"SetQueueAttributes":           jsonOp(s.setQueueAttributes),
		"SendMessage":                  jsonOp(s.sendMessage),
		"SendMessageBatch":             jsonOp(s.sendMessageBatch),
		"ReceiveMessage":               jsonOp(s.receiveMessage),
		"DeleteMessage":                jsonOp(s.deleteMessage),
		"DeleteMessageBatch":           jsonOp(s.deleteMessageBatch),
		"ChangeMessageVisibility":      jsonOp(s.changeMessageVisibility),
		"ChangeMessageVisibilityBatch": jsonOp(s.changeMessageVisibilityBatch),
		"TagQueue":                     jsonOp(s.tagQueue),
		"UntagQueue":                   jsonOp(s.untagQueue),
		"ListQueueTags":                jsonOp(s.listQueueTags),
		"ListDeadLetterSourceQueues":   jsonOp(s.listDeadLetterSourceQueues),
		"StartMessageMoveTask":         jsonOp(s.startMessageMoveTask),
		"ListMessageMoveTasks":         jsonOp(s.listMessageMoveTasks),
		"CancelMessageMoveTask":        jsonOp(s.cancelMessageMoveTask),
	}
}

func (s *Service) names() string {
	var names []string
	for n := range s.operations() {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// --- AWS JSON 1.0 ---

func (s *Service) serveJSON(w http.ResponseWriter, r *http.Request) {
	prefix, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	fn, ok := s.operations()[op]
	if prefix != "AmazonSQS" || !ok {
		writeJSONError(w, newError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
			"X-Amz-Target %q is not an operation the local SQS serves; it serves AmazonSQS.<Operation> with one of: %s",
			r.Header.Get("X-Amz-Target"), s.names()))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxJSONBody))
	if err != nil {
		writeJSONError(w, errInvalid("reading the request body: %v", err))
		return
	}
	out, err := fn(r.Context(), body)
	if err != nil {
		writeJSONError(w, asAPIError(err))
		return
	}
	awsproto.WriteJSON(w, http.StatusOK, "application/x-amz-json-1.0", out)
}

// writeJSONError writes an error as SQS's JSON protocol does: the shape in
// __type, and for query-compatible clients the legacy code and fault in
// X-Amzn-Query-Error.
func writeJSONError(w http.ResponseWriter, err error) {
	e := asAPIError(err)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Query-Error", e.code+";"+e.fault())
	w.WriteHeader(e.status)
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.sqs#" + e.shape, "message": e.msg})
	_, _ = w.Write(b)
}

// --- query protocol ---

const xmlns = "http://queue.amazonaws.com/doc/2012-11-05/"

func (s *Service) serveQuery(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeXMLError(w, r, errInvalid("the request is not a valid form: %v", err))
		return
	}
	action := r.Form.Get("Action")
	if action == "" {
		writeXMLError(w, r, newError("MissingAction", "MissingAction", "The request must contain the parameter Action (or, for AWS JSON clients, an X-Amz-Target header)."))
		return
	}
	fn, ok := s.operations()[action]
	if !ok {
		writeXMLError(w, r, newError("InvalidAction", "InvalidAction", "The action %s is not valid for this endpoint; the local SQS serves: %s", action, s.names()))
		return
	}
	in := queryToJSON(r.Form)
	if u := queueURLFromPath(r.URL.Path); u != "" && in["QueueUrl"] == nil {
		in["QueueUrl"] = u // older clients address the queue by the request path
	}
	body, _ := json.Marshal(in)
	out, err := fn(r.Context(), body)
	if err != nil {
		writeXMLError(w, r, err)
		return
	}
	writeXMLResult(w, r, action, out)
}

// queueURLFromPath returns the request path as a queue URL when it is one
// (/<account>/<name>).
func queueURLFromPath(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[1] == "" {
		return ""
	}
	return "http://localhost/" + parts[0] + "/" + parts[1]
}

// queryLists maps the query protocol's flattened list and map parameter
// names to the JSON protocol's members.
var queryLists = map[string]string{
	"Attribute":                      "Attributes",
	"Tag":                            "Tags",
	"TagKey":                         "TagKeys",
	"AttributeName":                  "AttributeNames",
	"MessageSystemAttributeName":     "MessageSystemAttributeNames",
	"MessageAttributeName":           "MessageAttributeNames",
	"MessageAttribute":               "MessageAttributes",
	"MessageSystemAttribute":         "MessageSystemAttributes",
	"SendMessageBatchRequestEntry":   "Entries",
	"DeleteMessageBatchRequestEntry": "Entries",
	"ChangeMessageVisibilityBatchRequestEntry": "Entries",
	"StringListValue":                          "StringListValues",
	"BinaryListValue":                          "BinaryListValues",
}

// queryToJSON turns query parameters (Attribute.1.Name=…, …) into the
// JSON-protocol shape of the same request.
func queryToJSON(form url.Values) map[string]any {
	root := map[string]any{}
	for key, vals := range form {
		if key == "Action" || key == "Version" || len(vals) == 0 {
			continue
		}
		parts := strings.Split(key, ".")
		node := root
		for i, p := range parts {
			if i == len(parts)-1 {
				node[p] = vals[0]
				break
			}
			child, ok := node[p].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[p] = child
			}
			node = child
		}
	}
	return shape(root).(map[string]any)
}

// shape converts a tree of numbered members into lists and maps.
func shape(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, child := range m {
		name, isList := queryLists[k]
		cm, isMap := child.(map[string]any)
		if !isList || !isMap {
			out[k] = shape(child)
			continue
		}
		idx := make([]int, 0, len(cm))
		for n := range cm {
			i, err := strconv.Atoi(n)
			if err == nil {
				idx = append(idx, i)
			}
		}
		sort.Ints(idx)
		var items []any
		for _, i := range idx {
			items = append(items, shape(cm[strconv.Itoa(i)]))
		}
		// Name/Value and Key/Value pairs make a map.
		if len(items) > 0 {
			if first, ok := items[0].(map[string]any); ok && (first["Name"] != nil || first["Key"] != nil) && !strings.HasSuffix(name, "Entries") {
				mm := map[string]any{}
				for _, it := range items {
					e, _ := it.(map[string]any)
					k, _ := e["Name"].(string)
					if k == "" {
						k, _ = e["Key"].(string)
					}
					mm[k] = e["Value"]
				}
				out[name] = mm
				continue
			}
		}
		out[name] = items
	}
	return out
}

// resultLists names the members of query-protocol answers: a list member
// is flattened under the singular name, a map as Name/Value (Key/Value for
// tags) entries.
var resultLists = map[string]string{
	"QueueUrls":         "QueueUrl",
	"queueUrls":         "QueueUrl",
	"Messages":          "Message",
	"Failed":            "BatchResultErrorEntry",
	"Attributes":        "Attribute",
	"MessageAttributes": "MessageAttribute",
	"Tags":              "Tag",
	"Results":           "ListMessageMoveTasksResultEntry",
}

var successEntries = map[string]string{
	"SendMessageBatch":             "SendMessageBatchResultEntry",
	"DeleteMessageBatch":           "DeleteMessageBatchResultEntry",
	"ChangeMessageVisibilityBatch": "ChangeMessageVisibilityBatchResultEntry",
}

// writeXMLResult writes <ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>.
func writeXMLResult(w http.ResponseWriter, r *http.Request, action string, out any) {
	raw, _ := json.Marshal(out)
	var tree map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	_ = dec.Decode(&tree)
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<" + action + "Response xmlns=\"" + xmlns + "\">")
	if len(tree) > 0 {
		b.WriteString("<" + action + "Result>")
		writeMembers(&b, action, tree)
		b.WriteString("</" + action + "Result>")
	}
	b.WriteString("<ResponseMetadata><RequestId>" + escape(awsproto.RequestID(r.Context())) + "</RequestId></ResponseMetadata>")
	b.WriteString("</" + action + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b.String())
}

func writeMembers(b *strings.Builder, action string, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		elem := resultLists[k]
		if k == "Successful" {
			elem = successEntries[action]
		}
		switch x := v.(type) {
		case []any:
			if elem == "" {
				elem = k
			}
			for _, it := range x {
				writeValue(b, action, elem, it)
			}
		case map[string]any:
			if elem == "" {
				writeValue(b, action, k, x)
				continue
			}
			nameTag := "Name"
			if k == "Tags" {
				nameTag = "Key"
			}
			names := make([]string, 0, len(x))
			for n := range x {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				b.WriteString("<" + elem + "><" + nameTag + ">" + escape(n) + "</" + nameTag + ">")
				writeValue(b, action, "Value", x[n])
				b.WriteString("</" + elem + ">")
			}
		default:
			writeValue(b, action, k, v)
		}
	}
}

func writeValue(b *strings.Builder, action, elem string, v any) {
	b.WriteString("<" + elem + ">")
	switch x := v.(type) {
	case map[string]any:
		writeMembers(b, action, x)
	case string:
		b.WriteString(escape(x))
	case nil:
	default:
		raw, _ := json.Marshal(x)
		b.WriteString(escape(string(raw)))
	}
	b.WriteString("</" + elem + ">")
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeXMLError writes an error as the query protocol does.
func writeXMLError(w http.ResponseWriter, r *http.Request, err error) {
	e := asAPIError(err)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status)
	_, _ = io.WriteString(w, xml.Header+"<ErrorResponse xmlns=\""+xmlns+"\"><Error><Type>"+e.fault()+"</Type><Code>"+escape(e.code)+
		"</Code><Message>"+escape(e.msg)+"</Message><Detail/></Error><RequestId>"+escape(awsproto.RequestID(r.Context()))+"</RequestId></ErrorResponse>")
}
