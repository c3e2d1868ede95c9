package sfn

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// epoch is a timestamp as awsJson sends it: seconds since the Unix epoch
// with a millisecond fraction, as a JSON number.
type epoch time.Time

// MarshalJSON writes the number of seconds, e.g. 1767225600.123.
func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Appendf(nil, "%s%d.%03d", sign, ms/1000, ms%1000), nil
}

// IsZero lets `omitzero` leave out unset optional timestamps.
func (e epoch) IsZero() bool { return time.Time(e).IsZero() }

func epochNumber(t time.Time) json.Number {
	b, _ := epoch(t).MarshalJSON()
	return json.Number(b)
}

// dataDetails is CloudWatchEventsExecutionDataDetails: whether the input
// or output is included in the response (always, here).
type dataDetails struct {
	Included bool `json:"included"`
}

// Limits of the API model.
const (
	maxNameLength   = 80
	maxDataSize     = 262144 // SensitiveData: inputs and outputs
	maxErrorLength  = 256    // SensitiveError
	maxCauseLength  = 32768  // SensitiveCause
	maxTokenLength  = 2048   // TaskToken
	maxPageSize     = 1000
	defaultPageSize = 100
)

// checkName validates a state machine or execution name as Step Functions
// does: 1 to 80 characters, none of them whitespace, brackets, wildcards,
// the punctuation " # % \ ^ | ~ ` $ & , ; : / or a control character.
func checkName(kind, name string) error {
	if name == "" || utf8.RuneCountInString(name) > maxNameLength {
		return apiError(codeInvalidName, "Invalid Name: '%s': a %s name must be 1 to %d characters long", name, kind, maxNameLength)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return apiError(codeInvalidName, "Invalid Name: '%s': a %s name must not contain %q (no whitespace, brackets, wildcards, control characters or any of \" # %% \\ ^ | ~ ` $ & , ; : /)", name, kind, r)
		}
	}
	return nil
}

// arnParts splits "arn:<partition>:states:<region>:<account>:<type>:<rest…>"
// and returns the resource type and the parts after it.
func arnParts(arn string) (typ string, rest []string, ok bool) {
	p := strings.Split(arn, ":")
	if len(p) < 7 || p[0] != "arn" || p[1] == "" || p[2] != "states" || p[3] == "" || p[4] == "" {
		return "", nil, false
	}
	for _, s := range p[5:] {
		if s == "" {
			return "", nil, false
		}
	}
	return p[5], p[6:], true
}

// checkMachineArn checks that arn names a state machine (without a version
// or alias qualifier, which the local cloud does not serve).
func checkMachineArn(arn string) error {
	typ, rest, ok := arnParts(arn)
	if !ok || typ != "stateMachine" {
		return apiError(codeInvalidArn, "Invalid Arn: '%s': a state machine ARN looks like arn:aws:states:<region>:<account>:stateMachine:<name>", arn)
	}
	if len(rest) > 1 {
		return apiError(codeStateMachineMissing, "State Machine Does Not Exist: '%s': versions and aliases are not supported by the local cloud; use the unqualified state machine ARN", arn)
	}
	return nil
}

// checkExecutionArn checks that arn names an execution.
func checkExecutionArn(arn string) error {
	typ, rest, ok := arnParts(arn)
	if !ok || typ != "execution" || len(rest) != 2 {
		return apiError(codeInvalidArn, "Invalid Arn: '%s': an execution ARN looks like arn:aws:states:<region>:<account>:execution:<state machine name>:<execution name>", arn)
	}
	return nil
}

// checkRoleArn checks that a role ARN has the shape of an IAM role ARN. The
// role is recorded, never assumed.
func checkRoleArn(arn string) error {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "iam" || !strings.HasPrefix(p[5], "role/") || len(arn) > 256 {
		return apiError(codeInvalidArn, "Invalid Arn: '%s': roleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/MyStateMachineRole", arn)
	}
	return nil
}

// pageSize resolves maxResults: 0 means the default page size.
func pageSize(n int) (int, error) {
	switch {
	case n < 0 || n > maxPageSize:
		return 0, apiError(codeValidation, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and %d", n, maxPageSize)
	case n == 0:
		return defaultPageSize, nil
	}
	return n, nil
}

// encodeToken makes an opaque pagination token of v.
func encodeToken(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken reads a token made by encodeToken into v.
func decodeToken(token string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return apiError(codeInvalidToken, "Invalid Token: '%s' is not a nextToken this endpoint returned; pass the nextToken of the previous page unchanged", token)
	}
	return nil
}

// newUUID returns a random (version 4) UUID, the default execution name.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// canonicalJSON re-encodes a JSON document with sorted keys and no
// insignificant space, so two definitions that differ only in layout
// compare equal. ok is false when doc is not JSON.
func canonicalJSON(doc string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return "", false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
