package edge

import (
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// isQuery tells whether a request speaks the query protocol (SNS, SQS's
// older clients, IAM, STS, CloudFormation, …): a form-encoded POST or a
// GET whose parameters name an Action.
func isQuery(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	if r.URL.Query().Get("Action") != "" {
		return true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" {
		return false
	}
	return r.ParseForm() == nil && r.PostForm.Get("Action") != ""
}

// writeQueryError writes err as query-protocol services do: an
// <ErrorResponse> document with the error's Type, Code and Message and
// the RequestId.
func writeQueryError(w http.ResponseWriter, r *http.Request, err error) {
	e := awsproto.AsError(err)
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = io.WriteString(w, xml.Header+"<ErrorResponse><Error><Type>"+fault+"</Type><Code>"+esc(e.Code)+"</Code><Message>"+
		esc(e.Message)+"</Message></Error><RequestId>"+esc(awsproto.RequestID(r.Context()))+"</RequestId></ErrorResponse>")
}
