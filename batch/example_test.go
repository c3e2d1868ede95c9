package batch_test

import (
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// A job name from the fragment's input may break Bedrock's rules (no
// underscores, at most 63 characters); JobName makes a valid one.
func ExampleJobName() {
	name := batch.JobName("customer_reviews", 0)
	fmt.Println(name, batch.ValidJobName(name) == nil)
	// Output: customer-reviews0 true
}

// A task token longer than a tag value is stored over several tags and
// read back whole.
func ExampleTokenTags() {
	token := strings.Repeat("AQB4", 200) // 800 characters
	tags, _ := batch.TokenTags(token)
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	back, _ := batch.TokenFromTags(m)
	fmt.Println(len(tags), back == token)
	// Output: 4 true
}

// Where a job writes its output: under the output URI, a folder named
// after the job id.
func ExampleJobOutputPrefix() {
	out, _ := batch.ParseS3URI("s3://my-bucket/output/reviews/")
	arn, _ := batch.ParseJobArn("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh")
	fmt.Println(out.Bucket, batch.JobOutputPrefix(out, arn.JobID))
	// Output: my-bucket output/reviews/abcd1234efgh/
}
