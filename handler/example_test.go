package handler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/handler"
)

// printingBedrock shows what CreateJob asks of Bedrock; a *bedrock.Client
// takes its place in a Lambda function.
type printingBedrock struct{}

func (printingBedrock) CreateModelInvocationJob(_ context.Context, in *bedrock.CreateModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.CreateModelInvocationJobOutput, error) {
	fmt.Println("job name:", aws.ToString(in.JobName))
	fmt.Println("tags:", len(in.Tags))
	return &bedrock.CreateModelInvocationJobOutput{JobArn: aws.String("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh")}, nil
}

// printingLedger shows what CreateJob records in the ledger; a
// *dynamodb.Client takes its place in a Lambda function.
type printingLedger struct{ handler.LedgerDB }

func (printingLedger) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	fmt.Println("ledger:", aws.ToString(in.TableName), "holds", len(in.Item), "attributes, on condition", aws.ToString(in.ConditionExpression))
	return &dynamodb.PutItemOutput{}, nil
}

// CreateJob turns the fragment's payload into a valid request (the job
// name loses its underscore) and records the job, with its task token, in
// the ledger rather than in tags.
func ExampleCreateJob_Handle() {
	ledger := handler.NewLedger(printingLedger{}, "bedrockbatch-ledger")
	h := handler.NewCreateJob(ledger, printingBedrock{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	res, err := h.Handle(context.Background(), batch.CreateJobPayload{
		JobName: "customer_reviews0",
		RoleArn: "arn:aws:iam::123456789012:role/BedrockBatchRole",
		ModelID: "amazon.nova-pro-v1:0",
		InputDataConfig: batch.InputDataConfig{S3InputDataConfig: batch.S3InputDataConfig{
			S3URI: "s3://my-bucket/input/manifest-1.jsonl"}},
		OutputDataConfig: batch.OutputDataConfig{S3OutputDataConfig: batch.S3OutputDataConfig{
			S3URI: "s3://my-bucket/output/customer_reviews/"}},
		TimeoutDurationInHours: 48,
		TaskToken:              strings.Repeat("AQB4", 100),
	})
	fmt.Println(res.JobArn, err)
	// Output:
	// job name: customer-reviews0
	// tags: 1
	// ledger: bedrockbatch-ledger holds 9 attributes, on condition attribute_not_exists(#k)
	// arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh <nil>
}
