package handler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	bedrocktypes "github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/handler"
	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
)

// counting clients count the control-plane calls a reconcile run makes.
type countingBedrock struct {
	handler.JobReader
	n atomic.Int64
}

func (c *countingBedrock) GetModelInvocationJob(ctx context.Context, in *bedrock.GetModelInvocationJobInput, opt ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error) {
	c.n.Add(1)
	return c.JobReader.GetModelInvocationJob(ctx, in, opt...)
}

type countingDB struct {
	handler.LedgerDB
	n atomic.Int64
}

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, opt ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.n.Add(1)
	return c.LedgerDB.Query(ctx, in, opt...)
}

func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.n.Add(1)
	return c.LedgerDB.UpdateItem(ctx, in, opt...)
}

type countingSFN struct {
	handler.TaskReporter
	n atomic.Int64
}

func (c *countingSFN) SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opt ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	c.n.Add(1)
	return c.TaskReporter.SendTaskSuccess(ctx, in, opt...)
}

func (c *countingSFN) SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opt ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	c.n.Add(1)
	return c.TaskReporter.SendTaskFailure(ctx, in, opt...)
}

// BenchmarkReconcile runs the reconciler against the local cloud with
// 10,000 ended jobs (closed in the ledger) and 20 open ones (real jobs of
// the local Bedrock, held in Submitted), and reports the control-plane
// calls of a run (Bedrock, DynamoDB and Step Functions) and the open jobs.
// The aim is at most 2 × open jobs + query pages, whatever the history.
//
//	go test -run '^$' -bench Reconcile -benchtime 20x ./handler
func BenchmarkReconcile(b *testing.B) {
	const ended, open = 10000, 20
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	c, err := localcloud.New(localcloud.Options{DataDir: b.TempDir(), Clock: clk, Bedrock: localcloudBedrockHeld()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	cfg := c.AWSConfig()
	db := dynamodb.NewFromConfig(cfg)
	cloudtest.LedgerTable(b, db, "ledger")
	ledger := handler.NewLedger(db, "ledger").WithClock(clk)
	for i := range ended {
		arn := fmt.Sprintf("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/ended%07d", i)
		if err := ledger.Record(ctx, handler.LedgerEntry{JobArn: arn, TaskToken: strings.Repeat("t", 600), ExecutionArn: "arn:aws:states:us-east-1:123456789012:execution:M:old",
			SubmitTime: clk.Now().Add(-time.Duration(i) * time.Second), TimeoutHours: 48}); err != nil {
			b.Fatal(err)
		}
		if err := ledger.Close(ctx, arn, batch.StatusCompleted); err != nil {
			b.Fatal(err)
		}
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench-in")}); err != nil {
		b.Fatal(err)
	}
	var records strings.Builder
	for i := range 100 {
		fmt.Fprintf(&records, `{"recordId":"R%03d","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"x"}]}]}}`+"\n", i)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench-in"), Key: aws.String("m.jsonl"), Body: strings.NewReader(records.String())}); err != nil {
		b.Fatal(err)
	}
	br := bedrock.NewFromConfig(cfg)
	for i := range open {
		out, err := br.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
			JobName: aws.String(fmt.Sprintf("open-%02d", i)), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
			ModelId:                aws.String("amazon.nova-pro-v1:0"),
			InputDataConfig:        &bedrocktypes.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: bedrocktypes.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://bench-in/m.jsonl")}},
			OutputDataConfig:       &bedrocktypes.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: bedrocktypes.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://bench-in/out/")}},
			TimeoutDurationInHours: aws.Int32(48),
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := ledger.Record(ctx, handler.LedgerEntry{JobArn: aws.ToString(out.JobArn), TaskToken: strings.Repeat("o", 600),
			SubmitTime: clk.Now(), TimeoutHours: 48}); err != nil {
			b.Fatal(err)
		}
	}

	cb := &countingBedrock{JobReader: br}
	cd := &countingDB{LedgerDB: db}
	cs := &countingSFN{TaskReporter: sfn.NewFromConfig(cfg)}
	r := handler.NewReconcile(handler.NewLedger(cd, "ledger").WithClock(clk), cb, s3c, cs, slog.New(slog.NewTextHandler(io.Discard, nil))).WithClock(clk)
	var counts handler.ReconcileCounts
	b.ResetTimer()
	for range b.N {
		if counts, err = r.Run(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if counts.Open != open || counts.Running != open {
		b.Fatalf("counts %+v, want %d open jobs, all running", counts, open)
	}
	calls := float64(cb.n.Load()+cd.n.Load()+cs.n.Load()) / float64(b.N)
	b.ReportMetric(calls, "calls/run")
	b.ReportMetric(float64(counts.Pages), "pages/run")
	b.ReportMetric(float64(open), "open-jobs")
	if limit := float64(2*open + counts.Pages); calls > limit {
		b.Errorf("%.0f calls per run, over 2 × %d open jobs + %d pages", calls, open, counts.Pages)
	}
}
