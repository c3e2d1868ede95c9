package bedrockbatchstepfn

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
)

// ledgerTableID is the construct id of the job ledger under the per-stack
// scope eventHandlerID.
const ledgerTableID = "JobLedger"

// newLedgerTable creates the stack's job ledger (see batch.LedgerTableEnv):
// on-demand, so that a quiet month costs next to nothing and a burst of
// 100,000 jobs needs no capacity planning; encrypted with the account's
// AWS-managed DynamoDB key, which the functions use without a key grant;
// point-in-time recovery, so that an open job's task token survives a
// mistaken write; and a TTL on closed entries, so the table holds the
// recent history only. Its name is a stack output (appcontract.OutputLedgerTable)
// for watch and the console.
func newLedgerTable(scope constructs.Construct, stack awscdk.Stack) awsdynamodb.Table {
	str := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}
	t := awsdynamodb.NewTable(scope, jsii.String(ledgerTableID), &awsdynamodb.TableProps{
		PartitionKey: str(batch.LedgerJobArn),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:   awsdynamodb.TableEncryption_AWS_MANAGED,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		TimeToLiveAttribute: jsii.String(batch.LedgerExpiresAt),
	})
	t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:        jsii.String(batch.LedgerOpenIndex),
		PartitionKey:     str(batch.LedgerOpen),
		SortKey:          str(batch.LedgerSubmitTime),
		ProjectionType:   awsdynamodb.ProjectionType_INCLUDE,
		NonKeyAttributes: jsii.Strings(batch.LedgerOpenProjection...),
	})
	t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:        jsii.String(batch.LedgerExecutionIndex),
		PartitionKey:     str(batch.LedgerExecutionArn),
		SortKey:          str(batch.LedgerSubmitTime),
		ProjectionType:   awsdynamodb.ProjectionType_INCLUDE,
		NonKeyAttributes: jsii.Strings(batch.LedgerExecutionProjection...),
	})
	awscdk.NewCfnOutput(stack, jsii.String(appcontract.OutputLedgerTable), &awscdk.CfnOutputProps{
		Value:       t.TableName(),
		Description: jsii.String("The Bedrock batch job ledger: one entry per job, readable by execution (bedrockbatch watch --ledger)"),
	})
	return t
}

// ledgerIndexArn is the ARN of one of the ledger's indexes.
func ledgerIndexArn(t awsdynamodb.ITable, index string) *string {
	return jsii.String(*t.TableArn() + "/index/" + index)
}

// grantLedger gives fn the ledger's table name and the DynamoDB actions
// it needs, on the table or on one index, and nothing else.
func grantLedger(fn awslambda.Function, t awsdynamodb.ITable, resource *string, actions ...string) {
	fn.AddEnvironment(jsii.String(batch.LedgerTableEnv), t.TableName(), nil)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{resource},
	}))
}
