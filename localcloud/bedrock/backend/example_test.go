package backend_test

import (
	"context"
	"fmt"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock/backend"
	"github.com/bedrockbatch/bedrockbatch/model"
)

// A registry with the default configuration answers every supported model
// with the sim backend.
func ExampleRegistry() {
	reg, err := backend.New(backend.Config{})
	if err != nil {
		panic(err)
	}
	b, err := reg.Resolve(model.ParseID("us.amazon.nova-lite-v1:0"))
	if err != nil {
		panic(err)
	}
	resp, err := b.Invoke(context.Background(), backend.Request{
		Model: model.ParseID("us.amazon.nova-lite-v1:0"),
		Body:  []byte(`{"messages":[{"role":"user","content":[{"text":"Name a colour."}]}],"inferenceConfig":{"maxTokens":8}}`),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(resp.Body))
	fmt.Println(resp.InputTokens, resp.OutputTokens)

	_, err = reg.Resolve(model.ParseID("ai21.jamba-1-5-mini-v1:0"))
	fmt.Println(err != nil)
	// Output:
	// {"output":{"message":{"content":[{"text":"Simulated answer to \"Name a colour."}],"role":"assistant"}},"stopReason":"max_tokens","usage":{"inputTokens":4,"outputTokens":8,"totalTokens":12}}
	// 4 8
	// true
}

// A record the family would reject fails with a *RecordError, which the
// batch engine writes into the record's output line.
func ExampleSim_validation() {
	sim, _ := backend.NewSim(backend.SimOptions{})
	_, err := sim.Invoke(context.Background(), backend.Request{
		Model: model.ParseID("anthropic.claude-3-haiku-20240307-v1:0"),
		Body:  []byte(`{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"Hi"}]}`),
	})
	fmt.Println(err)
	// Output:
	// 400: Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.
}
