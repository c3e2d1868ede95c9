// Package model knows Bedrock's model ids and the request and response
// formats of the model families: what the data tools need to write, check,
// price and read the records of a batch job, and what the local Bedrock's
// backends need to answer them.
//
// A model id is parsed once, where it enters the program, into an [ID]
// (see [ParseID]): a foundation model id ("amazon.nova-pro-v1:0"), a
// cross-region inference profile id ("us.", "eu.", "apac.", "global.", …
// before a model id) or a model or inference-profile ARN. The ID carries the
// model's [Family]; an application inference profile ARN does not name its
// model, and [ID.RequireFamily] says so.
//
// The families: Anthropic Claude (Messages API), Amazon Nova, Amazon Titan
// Text, Amazon Titan Text Embeddings v2, Meta Llama, Mistral (text
// completion, and the chat completion of Mistral Large) and Cohere Embed.
//
//   - [BuildRequest] writes a prompt as a family's request body;
//     [CheckRequest] validates a body as the service would.
//   - [ReadInput] validates and normalises a body into an [Input] that a
//     model can answer; [Input.GenerationBody] and [Input.EmbeddingBody]
//     write an answer in the family's response shape.
//   - [ReadAnswer] reads a family's response, saying which token counts
//     it reports; [CountTokens] estimates tokens.
//   - The model catalogue (catalogue.go, [SpecOf], [ModelOf], [LimitsOf])
//     holds, as data written from AWS's model parameter pages (each entry
//     cites its page and the date it was read), the keys, types and ranges
//     of each request format and each model's output and embedding
//     limits; [CheckRequest], [ReadInput] and [CheckModelInput] enforce it
//     in the service's words.
package model
