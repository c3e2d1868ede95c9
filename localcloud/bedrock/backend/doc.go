// Package backend answers the records of a local Bedrock batch job: it runs
// each record's modelInput through a model.
//
// A [Backend] takes one record's modelInput — the InvokeModel request body of
// the model's family, or a Converse request — and returns the body Bedrock
// would write as the record's modelOutput, with token counts, or a
// [model.RecordError] that the job writes into the record's output line.
//
// Three backends are provided:
//
//   - [Sim] (the default) answers deterministically, shaped exactly like each
//     family's real response, with token counts from a simple tokenizer and
//     optional fault injection. It needs nothing outside the process.
//   - [OpenAI] sends each record to an OpenAI-compatible server (Ollama,
//     vLLM, llama.cpp, …), translating the family's request into a chat
//     completion or an embedding and the answer back into the family's shape.
//   - [Bedrock] calls the real Bedrock runtime (InvokeModel or Converse) with
//     the user's AWS credentials.
//
// A [Registry] built from a [Config] chooses the backend for each model id.
// The request and response formats themselves live in package model; a
// [Request] carries the job's model id parsed once ([model.ID]), so no
// record parses it again.
package backend
