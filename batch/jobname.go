package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MaxJobNameLen is the service's limit on a model invocation job name.
const MaxJobNameLen = 63

// jobNamePattern is the service's jobName pattern, anchored.
var jobNamePattern = regexp.MustCompile(`^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}$`)

// ValidJobName reports whether name is accepted by CreateModelInvocationJob.
func ValidJobName(name string) error {
	if name == "" {
		return fmt.Errorf("job name is empty")
	}
	if len(name) > MaxJobNameLen {
		return fmt.Errorf("job name %q is %d characters; the limit is %d", name, len(name), MaxJobNameLen)
	}
	if !jobNamePattern.MatchString(name) {
		return fmt.Errorf("job name %q must start with a letter or digit and contain only letters, digits, '+', '-' and '.'", name)
	}
	return nil
}

// hashSuffixLen is the number of hex characters of the original name's hash
// appended when a name had to be shortened.
const hashSuffixLen = 8

// JobName turns the fragment's job_name plus the manifest index into a name
// the service accepts, deterministically; it is SanitizeJobName applied to
// base followed by the decimal index: "test_job"+"0" becomes "test-job0".
func JobName(base string, index int) string {
	return SanitizeJobName(base + strconv.Itoa(index))
}

// SanitizeJobName turns an already concatenated name (the fragment sends
// job_name and the manifest index joined by States.Format) into a name the
// service accepts, deterministically. A name that is already valid is
// returned unchanged. Otherwise characters outside the allowed set become
// '-' and a leading run of non-alphanumeric characters is dropped; when that
// changed the length (a dropped prefix, a multi-byte character) or the name
// is longer than 63 characters, it is cut to fit and given a short hash of
// the full original, so distinct long names stay distinct.
func SanitizeJobName(raw string) string {
	if ValidJobName(raw) == nil {
		return raw
	}
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '+', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.TrimLeft(b.String(), "-+.")
	if name != "" && len(name) == len(raw) && len(name) <= MaxJobNameLen {
		return name // only characters were replaced
	}
	sum := sha256.Sum256([]byte(raw))
	suffix := hex.EncodeToString(sum[:])[:hashSuffixLen]
	if keep := MaxJobNameLen - hashSuffixLen - 1; len(name) > keep {
		name = name[:keep]
	}
	name = strings.TrimRight(name, "-+.")
	if name == "" {
		return "job-" + suffix
	}
	return name + "-" + suffix
}
