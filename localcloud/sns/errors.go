package sns

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// apiError is an SNS error: its code is the one the service model gives
// the error shape (InvalidParameter, NotFound, …).
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidParameter", msg: "Invalid parameter: " + fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: "NotFound", msg: fmt.Sprintf(format, args...)}
}

// writeError writes err as SNS's query protocol does.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := err.(*apiError)
	if !ok {
		ae := awsproto.AsError(err)
		e = &apiError{status: ae.Status, code: "InternalError", msg: ae.Message}
	}
	fault := "Sender"
	if e.status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status)
	_, _ = io.WriteString(w, xml.Header+`<ErrorResponse xmlns="`+xmlns+`"><Error><Type>`+fault+`</Type><Code>`+esc(e.code)+
		`</Code><Message>`+esc(e.msg)+`</Message></Error><RequestId>`+esc(awsproto.RequestID(r.Context()))+`</RequestId></ErrorResponse>`)
}

func esc(s string) string {
	var b xmlBuilder
	_ = xml.EscapeText(&b, []byte(s))
	return string(b)
}

type xmlBuilder []byte

func (b *xmlBuilder) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

const xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"

// writeResult writes <ActionResponse><ActionResult>out</ActionResult>
// <ResponseMetadata/></ActionResponse>; out is an XML-marshalable struct
// or nil.
func writeResult(w http.ResponseWriter, r *http.Request, action string, out any) {
	var inner []byte
	if out != nil {
		var err error
		if inner, err = xml.Marshal(out); err != nil {
			writeError(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	body := xml.Header + `<` + action + `Response xmlns="` + xmlns + `">`
	if out != nil {
		body += string(inner)
	}
	body += `<ResponseMetadata><RequestId>` + esc(awsproto.RequestID(r.Context())) + `</RequestId></ResponseMetadata></` + action + `Response>`
	_, _ = io.WriteString(w, body)
}
