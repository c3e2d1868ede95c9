package batch_test

import (
	"fmt"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// A job name from the fragment's input may break Bedrock's rules (no
// underscores, at most 63 characters); JobName makes a valid one.
func ExampleJobName() {
	name := batch.JobName("customer_reviews", 0)
	fmt.Println(name, batch.ValidJobName(name) == nil)
	// Output: customer-reviews0 true
}

// Where a job writes its output: under the output URI, a folder named
// after the job id.
func ExampleJobOutputPrefix() {
	out, _ := batch.ParseS3URI("s3://my-bucket/output/reviews/")
	arn, _ := batch.ParseJobArn("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh")
	fmt.Println(out.Bucket, batch.JobOutputPrefix(out, arn.JobID))
	// Output: my-bucket output/reviews/abcd1234efgh/
}
