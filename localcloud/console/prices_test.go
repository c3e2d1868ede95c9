package console

import (
	"math"
	"testing"
)

func TestBatchCost(t *testing.T) {
	for _, tc := range []struct {
		model   string
		in, out int64
		want    float64
		ok      bool
	}{
		// BEDROCK-BATCH: Nova Pro on demand $0.0008 in / $0.0032 out per
		// 1,000 tokens; batch is half.
		{"amazon.nova-pro-v1:0", 1000, 1000, 0.002, true},
		{"us.amazon.nova-pro-v1:0", 28861, 14966, (28861*0.0008 + 14966*0.0032) / 2000, true},
		{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0", 2000, 0, 0.0008, true},
		{"meta.llama3-8b-instruct-v1:0", 1000, 1000, 0, false},
	} {
		got, ok := DefaultPrices.BatchCost(tc.model, tc.in, tc.out)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("BatchCost(%s, %d, %d) = %v, %v; want %v, %v", tc.model, tc.in, tc.out, got, ok, tc.want, tc.ok)
		}
	}
}
