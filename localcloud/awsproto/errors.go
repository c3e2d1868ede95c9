package awsproto

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
)

// Error is a service error as AWS reports it: an HTTP status, an error code
// that the SDKs map to a typed error (ResourceNotFoundException, NoSuchKey,
// …) and a message for people. Fields adds members some error shapes carry
// (for example BucketName in S3 errors or Type in Lambda errors).
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given status, code and formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e with one more field.
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Fields = make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[name] = value
	return &c
}

// Common errors shared by the JSON services.
var (
	// ErrInternal is reported for a failure that is the local cloud's own.
	ErrInternal = &Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "the local cloud failed to process the request"}
)

// AsError turns any error into an *Error: an *Error (possibly wrapped) is
// returned as is, anything else becomes an InternalFailure carrying the
// error's text, so the client sees what went wrong.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: ErrInternal.Code, Message: err.Error()}
}

// jsonErrorBody writes the members every JSON error shape understands. The
// message is written under both "message" and "Message" because services
// differ in the member's case and the SDKs decode typed error members
// case-sensitively.
func jsonErrorBody(e *Error, withType bool) []byte {
	m := map[string]string{}
	for k, v := range e.Fields {
		m[k] = v
	}
	m["message"] = e.Message
	m["Message"] = e.Message
	if withType {
		m["__type"] = e.Code
	}
	b, _ := json.Marshal(m)
	return b
}

// WriteJSONError writes err the way awsJson1.0 and awsJson1.1 services do:
// the code in the X-Amzn-ErrorType header and in the body's "__type",
// the message in the body. version is "1.0" or "1.1".
func WriteJSONError(w http.ResponseWriter, version string, err error) {
	e := AsError(err)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+version)
	h.Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(jsonErrorBody(e, true))
}

// WriteRESTJSONError writes err the way REST-JSON services (Lambda, the
// Bedrock control plane) do: the code in the X-Amzn-ErrorType header, the
// message (and any extra fields) in a JSON body.
func WriteRESTJSONError(w http.ResponseWriter, err error) {
	e := AsError(err)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(jsonErrorBody(e, false))
}

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Extra     []xmlField
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// WriteXMLError writes err the way S3 does: an <Error> document with Code,
// Message, any extra fields, RequestId and HostId. A HEAD request gets the
// status only, as S3 sends no body for HEAD.
func WriteXMLError(w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	id := RequestID(r.Context())
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	body := xmlError{Code: e.Code, Message: e.Message, RequestID: id, HostID: id}
	for _, k := range sortedKeys(e.Fields) {
		body.Extra = append(body.Extra, xmlField{XMLName: xml.Name{Local: k}, Value: e.Fields[k]})
	}
	out, _ := xml.Marshal(body)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
