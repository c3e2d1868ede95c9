// Package profilemodel finds the model behind an application inference
// profile ARN for the data tools (prepare, validate, cost). Such an ARN
// does not name its model, so its request format and price are unknown
// until Bedrock says which model the profile runs (GetInferenceProfile) or
// the user does (--profile-model). The id the jobs run with stays the ARN;
// only the tools' view of the model changes.
package profilemodel
