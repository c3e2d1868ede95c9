package localcloud

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// sdkLambda lets the state machine interpreter invoke functions through the
// Lambda API, as Step Functions does. Calls wait until the cloud has
// started, so executions resumed after a restart do not run ahead of the
// deployment that registers their functions.
type sdkLambda struct {
	client *awslambda.Client
	ready  <-chan struct{}
}

func (l sdkLambda) InvokeFunction(ctx context.Context, req asl.LambdaRequest) (asl.LambdaResponse, error) {
	select {
	case <-l.ready:
	case <-ctx.Done():
		return asl.LambdaResponse{}, ctx.Err()
	}
	in := &awslambda.InvokeInput{FunctionName: aws.String(req.FunctionName), Payload: req.Payload}
	if req.Qualifier != "" {
		in.Qualifier = aws.String(req.Qualifier)
	}
	if req.InvocationType != "" {
		in.InvocationType = lambdatypes.InvocationType(req.InvocationType)
	}
	if req.ClientContext != "" {
		in.ClientContext = aws.String(req.ClientContext)
	}
	out, err := l.client.Invoke(ctx, in)
	if err != nil {
		return asl.LambdaResponse{}, err
	}
	return asl.LambdaResponse{
		StatusCode:      int(out.StatusCode),
		FunctionError:   aws.ToString(out.FunctionError),
		ExecutedVersion: aws.ToString(out.ExecutedVersion),
		Payload:         out.Payload,
	}, nil
}
