package benchmem

import (
	"os"
	"strconv"
)

// InputBytes is the size of the input a data benchmark generates:
// $BEDROCKBATCH_BENCH_BYTES, default 1 GiB.
func InputBytes() int64 {
	if n, err := strconv.ParseInt(os.Getenv("BEDROCKBATCH_BENCH_BYTES"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 1 << 30
}
