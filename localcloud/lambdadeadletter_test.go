package localcloud_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
)

// A function created through the Lambda API keeps the DeadLetterConfig
// that CreateFunction or UpdateFunctionConfiguration gives it
// (https://docs.aws.amazon.com/lambda/latest/api/API_DeadLetterConfig.html),
// reports it in its configuration, and a failed asynchronous invocation
// lands in that queue as in a deployed function's
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
func TestLambdaAPIDeadLetterConfig(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	// Lambda waits a minute, then two, before retrying an asynchronous
	// invocation; a fast clock keeps the test short.
	c, err := localcloud.New(localcloud.Options{DataDir: t.TempDir(), Logger: quiet, RequestLogger: quiet, Clock: clock.NewScaled(600)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); c.Wait(); c.Close() })
	if err := c.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	cfg := c.AWSConfig()
	sqsc, lc := awssqs.NewFromConfig(cfg), awslambda.NewFromConfig(cfg)
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("index.js")
	w.Write([]byte(`exports.handler = async (event) => { throw new Error("cannot take " + event.order); };`))
	zw.Close()

	dlq, err := sqsc.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("api-dead-letters")})
	if err != nil {
		t.Fatal(err)
	}
	const dlqArn = "arn:aws:sqs:us-east-1:000000000000:api-dead-letters"
	for _, name := range []string{"created", "updated"} {
		in := &awslambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeNodejs22x, Handler: aws.String("index.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/fn"), Code: &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()}}
		if name == "created" {
			in.DeadLetterConfig = &lambdatypes.DeadLetterConfig{TargetArn: aws.String(dlqArn)}
		}
		if _, err := lc.CreateFunction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("updated"),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(dlqArn)}}); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"created", "updated"} {
		got, err := lc.GetFunctionConfiguration(ctx, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil || got.DeadLetterConfig == nil || aws.ToString(got.DeadLetterConfig.TargetArn) != dlqArn {
			t.Fatalf("%s: configuration %+v %v", name, got, err)
		}
		payload := []byte(`{"order":` + string(rune('1'+i)) + `}`)
		if _, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(name), InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload}); err != nil {
			t.Fatal(err)
		}
		m := receiveOne(t, sqsc, aws.ToString(dlq.QueueUrl))
		if aws.ToString(m.Body) != string(payload) || aws.ToString(m.MessageAttributes["ErrorMessage"].StringValue) != "cannot take "+string(rune('1'+i)) {
			t.Errorf("%s: dead letter body %s attributes %+v", name, aws.ToString(m.Body), m.MessageAttributes)
		}
	}

	// An empty TargetArn removes the target; an ARN that is neither a
	// queue's nor a topic's is refused.
	if _, err := lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("updated"),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String("")}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := lc.GetFunctionConfiguration(ctx, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String("updated")}); got.DeadLetterConfig != nil {
		t.Errorf("after removing the target: %+v", got.DeadLetterConfig)
	}
	_, err = lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("updated"),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String("arn:aws:s3:::bucket")}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidParameterValueException" {
		t.Errorf("an S3 ARN as dead-letter target: %v", err)
	}
}
