package batch

import (
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestClientRequestToken(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$`)
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.String().Draw(t, "a")
		b := rapid.String().Filter(func(s string) bool { return s != a }).Draw(t, "b")
		ca := ClientRequestToken(a)
		if ca != ClientRequestToken(a) {
			t.Fatal("not deterministic")
		}
		if !pattern.MatchString(ca) || len(ca) > 256 {
			t.Fatalf("%q does not match the service's clientRequestToken pattern", ca)
		}
		if ca == ClientRequestToken(b) {
			t.Fatalf("%q and %q give the same token", a, b)
		}
	})
}

func TestValidTagValue(t *testing.T) {
	for _, ok := range []string{"", "a b\t._:/=+@-Z9", strings.Repeat("v", MaxTagValueLen)} {
		if err := ValidTagValue(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{strings.Repeat("v", MaxTagValueLen+1), "a#b", "ü", "a,b"} {
		if ValidTagValue(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
