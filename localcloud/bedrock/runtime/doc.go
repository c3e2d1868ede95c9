// Package runtime serves the Bedrock runtime's on-demand inference —
// InvokeModel and Converse — from the same model backends the local batch
// engine runs records through (sim, OpenAI-compatible, real Bedrock), with
// Bedrock's request checks, its error codes and an optional per-model rate
// limit that throttles as the service's on-demand quotas do.
//
// The SDKs sign the runtime's requests for the "bedrock" service, as they
// sign the control plane's, so the local cloud's edge hands both to one
// handler: Handler serves the runtime's paths (/model/{modelId}/…) and
// passes every other request on to the control plane.
package runtime
