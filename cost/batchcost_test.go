package cost_test

import (
	"math"
	"testing"

	"github.com/bedrockbatch/bedrockbatch/cost"
)

// BatchCost prices a job from its token counts alone, as the local
// cloud's console does.
func TestBatchCost(t *testing.T) {
	for _, tc := range []struct {
		model   string
		in, out int64
		want    float64
		ok      bool
	}{
		// Nova Pro on demand $0.0008 in / $0.0032 out per 1,000 tokens;
		// batch is half.
		{"amazon.nova-pro-v1:0", 1000, 1000, 0.002, true},
		{"us.amazon.nova-pro-v1:0", 28861, 14966, (28861*0.0008 + 14966*0.0032) / 2000, true},
		{"no.such-model-v9:0", 1000, 1000, 0, false},
	} {
		got, ok := cost.Default().BatchCost(tc.model, tc.in, tc.out)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("BatchCost(%s, %d, %d) = %v, %v; want %v, %v", tc.model, tc.in, tc.out, got, ok, tc.want, tc.ok)
		}
	}
}
