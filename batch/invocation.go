package batch

// Model invocation types of a batch job: CreateModelInvocationJob's
// modelInvocationType, which says what request format each record's
// modelInput is in. An empty type means InvokeModel.
const (
	// InvocationInvokeModel: each modelInput is the InvokeModel request body
	// of the model's family.
	InvocationInvokeModel = "InvokeModel"
	// InvocationConverse: each modelInput is a Converse request.
	InvocationConverse = "Converse"
)
