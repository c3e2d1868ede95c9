package localcloud_test

import (
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// A distributed Map reads its items from S3 and writes its results there,
// through the local S3.
func TestDistributedMapReadsAndWritesS3(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	cfg := c.AWSConfig()
	s3c := s3.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("items")}); err != nil {
		t.Fatal(err)
	}
	csv := "name,qty\napple,3\npear,5\nplum,7\n"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("items"), Key: aws.String("in/fruit.csv"), Body: strings.NewReader(csv)}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map",
	  "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},
	    "Parameters":{"Bucket":"items","Key":"in/fruit.csv"}},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
	    "StartAt":"Tag","States":{"Tag":{"Type":"Pass","Parameters":{"fruit.$":"$.name"},"End":true}}},
	  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"items","Prefix":"results"}},
	  "End":true}}}`
	sf := sfn.NewFromConfig(cfg)
	sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("fruit"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn")})
	if err != nil {
		t.Fatal(err)
	}
	start, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String("{}")})
	if err != nil {
		t.Fatal(err)
	}
	var desc *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(10 * time.Second); ; {
		if desc, err = sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn}); err != nil {
			t.Fatal(err)
		}
		if desc.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if desc.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s", desc.Status, aws.ToString(desc.Error), aws.ToString(desc.Cause))
	}
	var out struct {
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &out); err != nil || out.ResultWriterDetails.Bucket != "items" ||
		!strings.HasPrefix(out.ResultWriterDetails.Key, "results/") {
		t.Fatalf("output %s: want the ResultWriter's bucket and manifest key (%v)", aws.ToString(desc.Output), err)
	}
	prefix := strings.TrimSuffix(out.ResultWriterDetails.Key, "manifest.json")
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("items"), Key: aws.String(prefix + "SUCCEEDED_0.json")})
	if err != nil {
		t.Fatalf("the results were not written to S3: %v", err)
	}
	raw, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	var results []struct{ Output string }
	if err := json.Unmarshal(raw, &results); err != nil {
		t.Fatalf("SUCCEEDED_0.json: %v\n%s", err, raw)
	}
	var fruits []string
	for _, r := range results {
		var o struct{ Fruit string }
		if err := json.Unmarshal([]byte(r.Output), &o); err != nil {
			t.Fatalf("result output %q: %v", r.Output, err)
		}
		fruits = append(fruits, o.Fruit)
	}
	if want := []string{"apple", "pear", "plum"}; !reflect.DeepEqual(fruits, want) {
		t.Errorf("processed %v, want %v", fruits, want)
	}
}
