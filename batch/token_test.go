package batch

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// tokenAlphabet holds the characters Step Functions task tokens are made of.
const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

func tagsToMap(t interface{ Fatalf(string, ...any) }, tags []Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, tag := range tags {
		if _, dup := m[tag.Key]; dup {
			t.Fatalf("duplicate tag key %q", tag.Key)
		}
		m[tag.Key] = tag.Value
	}
	return m
}

func TestTokenTagsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		token := rapid.StringOfN(rapid.RuneFrom([]rune(tokenAlphabet)), 1, MaxTaskTokenChars, -1).Draw(t, "token")
		tags, err := TokenTags(token)
		if err != nil {
			t.Fatalf("TokenTags: %v", err)
		}
		if want := (len(token) + MaxTagValueLen - 1) / MaxTagValueLen; len(tags) != want {
			t.Fatalf("%d tags for %d characters, want %d", len(tags), len(token), want)
		}
		for _, tag := range tags {
			if err := ValidTagValue(tag.Value); err != nil {
				t.Fatalf("tag %s: %v", tag.Key, err)
			}
			if tag.Value == "" {
				t.Fatalf("tag %s is empty", tag.Key)
			}
		}
		m := tagsToMap(t, tags)
		// Unrelated tags on the same job do not disturb the rebuild.
		m[OriginalNameTag] = "test_job0"
		m["TaskTokenish"] = "x"
		got, err := TokenFromTags(m)
		if err != nil || got != token {
			t.Fatalf("TokenFromTags = %q, %v; want the original token", got, err)
		}
	})
}

func TestTokenTagsLongestToken(t *testing.T) {
	token := strings.Repeat("Ab+/=9", MaxTaskTokenChars/6+1)[:MaxTaskTokenChars]
	tags, err := TokenTags(token)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 8 {
		t.Fatalf("%d tags, want 8", len(tags))
	}
	for i, tag := range tags {
		if tag.Key != TokenTagPrefix+strconv.Itoa(i) || len(tag.Value) != MaxTagValueLen {
			t.Errorf("tag %d = %s (%d characters)", i, tag.Key, len(tag.Value))
		}
	}
}

func TestTokenTagsRejects(t *testing.T) {
	tests := []struct {
		name, token, want string
	}{
		{"empty", "", "empty"},
		{"too long", strings.Repeat("a", MaxTaskTokenChars+1), "2049"},
		{"quote", `abc"def`, "offset 3"},
		{"non-ASCII", "abcé", "offset 3"},
	}
	for _, tt := range tests {
		if _, err := TokenTags(tt.token); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestTokenFromTagsMissingPart(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 8).Draw(t, "parts")
		drop := rapid.IntRange(0, n-2).Draw(t, "dropped") // any part but the last
		m := map[string]string{}
		for i := 0; i < n; i++ {
			if i != drop {
				m[TokenTagPrefix+strconv.Itoa(i)] = "part" + strconv.Itoa(i)
			}
		}
		_, err := TokenFromTags(m)
		if err == nil || !strings.Contains(err.Error(), TokenTagPrefix+strconv.Itoa(drop)+" is missing") {
			t.Fatalf("without part %d of %d: error = %v", drop, n, err)
		}
	})
}

func TestTokenFromTagsErrors(t *testing.T) {
	if _, err := TokenFromTags(map[string]string{"team": "search"}); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token tags: error = %v, want ErrNoToken", err)
	}
	if _, err := TokenFromTags(nil); !errors.Is(err, ErrNoToken) {
		t.Errorf("no tags: error = %v, want ErrNoToken", err)
	}
	for _, key := range []string{TokenTagPrefix + "x", TokenTagPrefix + "-1", TokenTagPrefix} {
		_, err := TokenFromTags(map[string]string{TokenTagPrefix + "0": "a", key: "b"})
		if err == nil || errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), key) {
			t.Errorf("key %q: error = %v, want one naming the key", key, err)
		}
	}
}

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
