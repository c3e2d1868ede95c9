package bedrockbatchstepfn

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

// resultWriter is the distributed Map's ResultWriterV2 with the state
// machine's permissions narrowed and completed: the CDK's writer allows
// its object actions on every object of the bucket and knows nothing of
// KMS; this one allows them under resultsPrefix only, and the KMS actions
// Step Functions documents for writing results to an encrypted bucket
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html)
// on the output's keys.
type resultWriter struct {
	awsstepfunctions.ResultWriterV2
	bucket awss3.IBucket
	keys   []awskms.IKey
}

func newResultWriter(bucket awss3.IBucket, keys []awskms.IKey) *resultWriter {
	w := &resultWriter{bucket: bucket, keys: keys}
	awsstepfunctions.NewResultWriterV2_Override(w, &awsstepfunctions.ResultWriterV2Props{
		Bucket: bucket,
		Prefix: jsii.String(resultsPrefix),
	})
	return w
}

// ProvidePolicyStatements is called by the CDK when the Map joins a state
// machine: these statements go into the state machine's role.
func (w *resultWriter) ProvidePolicyStatements() *[]awsiam.PolicyStatement {
	stmts := []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"),
		Resources: &[]*string{w.bucket.ArnForObjects(jsii.String(resultsPrefix + "/*"))},
	})}
	if len(w.keys) > 0 {
		var arns []*string
		for _, k := range w.keys {
			arns = append(arns, k.KeyArn())
		}
		stmts = append(stmts, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(writeKMSAction...),
			Resources: &arns,
		}))
	}
	return &stmts
}
