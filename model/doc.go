// Package model runs the records of a local Bedrock batch job through a model.
//
// A [Backend] takes one record's modelInput — the InvokeModel request body of
// the model's family, or a Converse request — and returns the body Bedrock
// would write as the record's modelOutput, with token counts, or a
// [RecordError] that the job writes into the record's output line.
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
//
// The families are recognised from the model id (see [DetectFamily]):
// Anthropic Claude (Messages API), Amazon Nova, Amazon Titan Text, Amazon
// Titan Text Embeddings v2, Meta Llama, Mistral (text completion, and the
// chat completion of Mistral Large) and Cohere Embed. Inference-profile ids ("us.", "eu.", "apac.", "global.", …) and
// model or inference-profile ARNs are accepted. An id of no known family is
// refused when the backend is resolved, before any record runs, because every
// record of the job would fail the same way.
package model
