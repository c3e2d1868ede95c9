package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Tag keys the create-job function puts on every job it creates.
const (
	// OriginalNameTag holds the fragment's job_name+index before it was made
	// a valid job name.
	OriginalNameTag = "bedrockbatch:original-name"
	// MaxTagValueLen is the service's limit on a tag value.
	MaxTagValueLen = 256
)

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
