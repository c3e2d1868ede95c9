package localcloud_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// A local cloud in a data directory, a Go handler registered as a Lambda
// function, and SDK clients talking to both in the same process.
func Example() {
	dir, _ := os.MkdirTemp("", "localcloud")
	defer os.RemoveAll(dir)
	cloud, err := localcloud.New(localcloud.Options{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	cloud.Lambda.Register("hello", lambda.HandlerFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		return []byte(`{"hello":` + string(payload) + `}`), nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); cloud.Wait() }()
	if err := cloud.Start(ctx); err != nil {
		panic(err)
	}

	cfg := cloud.AWSConfig()
	out, err := awslambda.NewFromConfig(cfg).Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String("hello"), Payload: []byte(`"world"`),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out.Payload))

	s3c := s3.NewFromConfig(cfg)
	_, _ = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("demo")})
	_, _ = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("demo"), Key: aws.String("in/a.txt"), Body: strings.NewReader("plain file")})
	obj, _ := cloud.Store.GetObject(ctx, "demo", "in/a.txt") // the same object, without HTTP
	b, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	fmt.Println(string(b), "at", strings.TrimPrefix(cloud.Store.ObjectPath("demo", "in/a.txt"), dir))
	// Output:
	// {"hello":"world"}
	// plain file at /s3/demo/in/a.txt
}
