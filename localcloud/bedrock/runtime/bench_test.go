package runtime

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
)

// BenchmarkInvokeModelSDK is an InvokeModel round trip: the Go SDK over
// loopback HTTP through the edge router to the sim, with a quota set.
func BenchmarkInvokeModelSDK(b *testing.B) {
	env := newTestRuntime(b, backend.SimOptions{}, Limits{RequestsPerMinute: 1 << 30, TokensPerMinute: 1 << 40})
	c := invokeCases[0]
	in := &bedrockruntime.InvokeModelInput{ModelId: aws.String(c.model), Body: []byte(c.body)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.client.InvokeModel(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCall is the runtime's own work per call, without HTTP.
func BenchmarkCall(b *testing.B) {
	env := newTestRuntime(b, backend.SimOptions{}, Limits{RequestsPerMinute: 1 << 30, TokensPerMinute: 1 << 40})
	c := invokeCases[0]
	body := []byte(c.body)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.rt.Call(context.Background(), c.model, batch.InvocationInvokeModel, body); err != nil {
			b.Fatal(err)
		}
	}
}
