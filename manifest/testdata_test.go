package manifest

import (
	"fmt"
	"strings"
)

// jsonl builds an input file of n records with ids r0…r(n-1).
func jsonl(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"recordId":"r%d","modelInput":{"prompt":"question %d"}}`+"\n", i, i)
	}
	return b.String()
}
