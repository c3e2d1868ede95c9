package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Tag keys the create-job function puts on every job it creates.
const (
	// TokenTagPrefix starts the keys of the tags that hold the task token,
	// split in order: "TaskToken:0", "TaskToken:1", …
	TokenTagPrefix = "TaskToken:"
	// OriginalNameTag holds the fragment's job_name+index before it was made
	// a valid job name.
	OriginalNameTag = "bedrockbatch:original-name"
	// MaxTagValueLen is the service's limit on a tag value.
	MaxTagValueLen = 256
)

// Tag is one resource tag.
type Tag struct {
	Key   string
	Value string
}

// TokenTags splits a task token over as many tags as it needs. Task tokens
// are at most 2,048 characters, so at most 8 tags are produced.
func TokenTags(token string) ([]Tag, error) {
	if token == "" {
		return nil, fmt.Errorf("task token is empty")
	}
	if len(token) > MaxTaskTokenChars {
		return nil, fmt.Errorf("task token is %d characters; Step Functions tokens are at most %d", len(token), MaxTaskTokenChars)
	}
	if err := validTagText(token); err != nil {
		return nil, fmt.Errorf("task token cannot be stored in tags: %w", err)
	}
	var tags []Tag
	for i := 0; len(token) > 0; i++ {
		n := min(MaxTagValueLen, len(token))
		tags = append(tags, Tag{Key: TokenTagPrefix + strconv.Itoa(i), Value: token[:n]})
		token = token[n:]
	}
	return tags, nil
}

// ErrNoToken is returned by TokenFromTags for a job that carries no token
// tags: a job this system did not create.
var ErrNoToken = fmt.Errorf("job has no %s* tags", TokenTagPrefix)

// TokenFromTags rebuilds a task token from a job's tags. The parts must be
// numbered 0…n-1 without gaps.
func TokenFromTags(tags map[string]string) (string, error) {
	idx := map[int]string{}
	for k, v := range tags {
		rest, ok := strings.CutPrefix(k, TokenTagPrefix)
		if !ok {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 {
			return "", fmt.Errorf("tag key %q: want %s<n>", k, TokenTagPrefix)
		}
		idx[i] = v
	}
	if len(idx) == 0 {
		return "", ErrNoToken
	}
	keys := make([]int, 0, len(idx))
	for i := range idx {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	var b strings.Builder
	for want, i := range keys {
		if i != want {
			return "", fmt.Errorf("token tag %s%d is missing", TokenTagPrefix, want)
		}
		b.WriteString(idx[i])
	}
	return b.String(), nil
}

// ClientRequestToken derives the idempotency token sent with
// CreateModelInvocationJob from the task token, so a retried invocation of
// the create-job function for the same task cannot create a second job.
func ClientRequestToken(taskToken string) string {
	sum := sha256.Sum256([]byte(taskToken))
	return hex.EncodeToString(sum[:])
}

func validTagText(s string) error {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" \t\n._:/=+@-", r):
		default:
			return fmt.Errorf("character %q at offset %d is not allowed in a tag", r, i)
		}
	}
	return nil
}

// ValidTagValue reports whether v may be a tag value.
func ValidTagValue(v string) error {
	if len(v) > MaxTagValueLen {
		return fmt.Errorf("tag value is %d characters; the limit is %d", len(v), MaxTagValueLen)
	}
	return validTagText(v)
}
