package bedrockbatchstepfn_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn"
	"github.com/bedrockbatch/bedrockbatch/internal/templatetest"
)

// Settings of fragment B of mainTemplate.
const (
	importedInputKey  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testBucketOwner   = "111122223333"
	testSecurityGroup = "sg-0123456789abcdef0"
)

var testSubnets = []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"}

// modelResources are the models and profiles the default permissions
// name: foundation models in every region (and without one, as global
// cross-region profiles route to them), and this account's system and
// application inference profiles.
var modelResources = []string{
	"arn:${AWS::Partition}:bedrock:*::foundation-model/*",
	"arn:${AWS::Partition}:bedrock:::foundation-model/*",
	"arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/*",
	"arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:application-inference-profile/*",
}

// requireServiceRoleS3 checks the Bedrock service role's S3 statements:
// only s3:GetObject, s3:PutObject and s3:ListBucket, as AWS documents for a
// batch service role, on the buckets of owner
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html).
func requireServiceRoleS3(t *testing.T, tj map[string]any, roleID string, owner any) {
	t.Helper()
	inID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "InBucket")
	outID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::S3::Bucket", "OutBucket")
	stmts := roleStatements(tj, roleID)
	cond := map[string]any{"StringEquals": map[string]any{"aws:ResourceAccount": owner}}
	for _, c := range []struct {
		bucket  string
		actions []string
	}{
		{inID, []string{"s3:GetObject", "s3:ListBucket"}},
		{outID, []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}},
	} {
		s := findStatement(t, stmts, c.actions...)
		if got := templatetest.Strings(s["Resource"]); !reflect.DeepEqual(got, []string{"${" + c.bucket + ".Arn}", "${" + c.bucket + ".Arn}/*"}) {
			t.Errorf("%s: %v on %v, want %s and its objects", roleID, c.actions, got, c.bucket)
		}
		if !reflect.DeepEqual(s["Condition"], cond) {
			t.Errorf("%s: %v condition %v, want %v", roleID, c.actions, s["Condition"], cond)
		}
	}
	allowed := []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}
	for _, s := range stmts {
		for _, a := range templatetest.Strings(s["Action"]) {
			if strings.HasPrefix(a, "s3:") && !slices.Contains(allowed, a) {
				t.Errorf("%s: the service role may %s", roleID, a)
			}
		}
	}
}

// requireListOnly checks that a function may list the output bucket and
// do nothing else in S3.
func requireListOnly(t *testing.T, stmts []map[string]any, outID string) {
	t.Helper()
	list := findStatement(t, stmts, "s3:ListBucket")
	if got := templatetest.Strings(list["Resource"]); !reflect.DeepEqual(got, []string{"${" + outID + ".Arn}"}) {
		t.Errorf("listing on %v, want the output bucket", got)
	}
	for _, s := range stmts {
		for _, a := range templatetest.Strings(s["Action"]) {
			if strings.HasPrefix(a, "s3:") && a != "s3:ListBucket" {
				t.Errorf("the function may %s", a)
			}
		}
		for _, r := range templatetest.Strings(s["Resource"]) {
			if strings.HasPrefix(r, "${"+outID) && strings.HasSuffix(r, "/*") {
				t.Errorf("the function may use the output's objects: %v", s)
			}
		}
	}
}

// addSettingsToPayload adds what fragment B's extensions put in its
// create-job payload: the fragment's tags, the VPC, the bucket owner on
// both data configs and the output key.
func addSettingsToPayload(t *testing.T, tj map[string]any, payload map[string]any) {
	keyID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::KMS::Key", "OutputKey")
	payload["defaultJobTags"] = map[string]any{"cost-center": "ml-platform"}
	payload["vpcConfig"] = map[string]any{
		"subnetIds":        []any{testSubnets[0], testSubnets[1]},
		"securityGroupIds": []any{testSecurityGroup},
	}
	payload["inputDataConfig"].(map[string]any)["s3InputDataConfig"].(map[string]any)["s3BucketOwner"] = testBucketOwner
	out := payload["outputDataConfig"].(map[string]any)["s3OutputDataConfig"].(map[string]any)
	out["s3BucketOwner"] = testBucketOwner
	out["s3EncryptionKeyId"] = "${" + keyID + ".Arn}"
}

// kmsStatement returns the statement of stmts that allows actions on
// KMS keys, and the keys.
func kmsGrants(stmts []map[string]any) map[string][]string {
	grants := map[string][]string{}
	for _, s := range stmts {
		actions := templatetest.Strings(s["Action"])
		if len(actions) == 0 || !strings.HasPrefix(actions[0], "kms:") {
			continue
		}
		for _, r := range templatetest.Strings(s["Resource"]) {
			grants[r] = append(grants[r], actions...)
		}
	}
	for _, a := range grants {
		slices.Sort(a)
	}
	return grants
}

// TestKeyGrants: the service role may decrypt with the input's keys and
// encrypt, decrypt and make data keys with the output's: the bucket's own
// key when the app knows it, and the keys the extensions name (an imported
// bucket's key cannot be seen otherwise). KMS permissions for SSE-KMS
// objects: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
func TestKeyGrants(t *testing.T) {
	tj := mainTemplate()
	bucketKey, _ := templatetest.ResourceByPrefix(t, tj, "AWS::KMS::Key", "OutBucketKey")
	outputKey, _ := templatetest.ResourceByPrefix(t, tj, "AWS::KMS::Key", "OutputKey")
	write := []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
	for frag, want := range map[string]map[string][]string{
		"A": {"${" + bucketKey + ".Arn}": write},
		"B": {"${" + bucketKey + ".Arn}": write, "${" + outputKey + ".Arn}": write, importedInputKey: {"kms:Decrypt"}},
	} {
		roleID, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", frag+"BedrockBatchRole")
		if got := kmsGrants(roleStatements(tj, roleID)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: key grants %v, want %v", roleID, got, want)
		}
	}
}

// TestResultWriterKMS: the distributed Map writes its results into the
// output bucket, so the state machine may use the output's keys with the
// actions Step Functions documents for a ResultWriter
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
func TestResultWriterKMS(t *testing.T) {
	tj := mainTemplate()
	_, machine := templatetest.ResourceByPrefix(t, tj, "AWS::StepFunctions::StateMachine", "Machine")
	roleID := templatetest.Props(machine)["RoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	bucketKey, _ := templatetest.ResourceByPrefix(t, tj, "AWS::KMS::Key", "OutBucketKey")
	outputKey, _ := templatetest.ResourceByPrefix(t, tj, "AWS::KMS::Key", "OutputKey")
	write := []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
	want := map[string][]string{"${" + bucketKey + ".Arn}": append(write, write...), "${" + outputKey + ".Arn}": write}
	slices.Sort(want["${"+bucketKey+".Arn}"])
	if got := kmsGrants(roleStatements(tj, roleID)); !reflect.DeepEqual(got, want) {
		t.Errorf("state machine key grants %v, want %v (A's and B's writers on the bucket key, B's on its output key)", got, want)
	}
}

// TestVpcPermissions: with Extensions.Vpc the service role gets the
// network-interface statements AWS documents for batch inference in a VPC
// (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-vpc.html),
// limited to the given subnets and security groups; without it, none.
func TestVpcPermissions(t *testing.T) {
	tj := mainTemplate()
	aRole, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", "ABedrockBatchRole")
	for _, s := range roleStatements(tj, aRole) {
		if a := templatetest.Strings(s["Action"]); strings.HasPrefix(a[0], "ec2:") {
			t.Errorf("%s has network permissions without a VPC: %v", aRole, s)
		}
	}
	bRole, _ := templatetest.ResourceByPrefix(t, tj, "AWS::IAM::Role", "BBedrockBatchRole")
	stmts := roleStatements(tj, bRole)
	ec2 := func(kind, id string) string {
		return "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:" + kind + "/" + id
	}
	jobs := "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:model-invocation-job/*"

	describe := findStatement(t, stmts, "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions",
		"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")
	if got := templatetest.Strings(describe["Resource"]); !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("describe on %v", got)
	}
	var create []map[string]any
	for _, s := range stmts {
		if reflect.DeepEqual(templatetest.Strings(s["Action"]), []string{"ec2:CreateNetworkInterface"}) {
			create = append(create, s)
		}
	}
	if len(create) != 2 {
		t.Fatalf("%d ec2:CreateNetworkInterface statements, want 2: %v", len(create), create)
	}
	for _, s := range create {
		res := templatetest.Strings(s["Resource"])
		if reflect.DeepEqual(res, []string{ec2("network-interface", "*")}) {
			want := map[string]any{
				"StringEquals": map[string]any{"aws:RequestTag/BedrockManaged": "true"},
				"ArnEquals":    map[string]any{"aws:RequestTag/BedrockModelInvocationJobArn": jobs},
			}
			if got := flattenCondition(s["Condition"]); !reflect.DeepEqual(got, want) {
				t.Errorf("interface creation condition %v, want %v", got, want)
			}
			continue
		}
		want := []string{ec2("subnet", testSubnets[0]), ec2("subnet", testSubnets[1]), ec2("security-group", testSecurityGroup)}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("interfaces created in %v, want %v", res, want)
		}
	}
	manage := findStatement(t, stmts, "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission")
	wantManage := map[string]any{
		"StringEquals": map[string]any{"ec2:Subnet": []any{ec2("subnet", testSubnets[0]), ec2("subnet", testSubnets[1])}},
		"ArnEquals":    map[string]any{"ec2:ResourceTag/BedrockModelInvocationJobArn": jobs},
	}
	if got := flattenCondition(manage["Condition"]); !reflect.DeepEqual(got, wantManage) {
		t.Errorf("interface management condition %v, want %v", got, wantManage)
	}
	tag := findStatement(t, stmts, "ec2:CreateTags")
	wantTag := map[string]any{
		"StringEquals":              map[string]any{"ec2:CreateAction": "CreateNetworkInterface"},
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []any{"BedrockManaged", "BedrockModelInvocationJobArn"}},
	}
	if got := flattenCondition(tag["Condition"]); !reflect.DeepEqual(got, wantTag) || !reflect.DeepEqual(templatetest.Strings(tag["Resource"]), []string{ec2("network-interface", "*")}) {
		t.Errorf("tagging %v on %v, want %v on network interfaces", got, templatetest.Strings(tag["Resource"]), wantTag)
	}
}

// flattenCondition renders the intrinsic values of a condition block as
// strings (see flatten).
func flattenCondition(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["Fn::Join"]; ok {
			return templatetest.Flatten(x)
		}
		if _, ok := x["Ref"]; ok {
			return templatetest.Flatten(x)
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = flattenCondition(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = flattenCondition(e)
		}
		return out
	}
	return v
}

// TestAccountExtensionsValidation: every new extension is checked when the
// fragment is made, with an error that names the setting.
func TestAccountExtensionsValidation(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Accounts"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	p := &bedrockbatchstepfn.BedrockBatchSfnProps{BedrockBatchInputBucket: bucket, BedrockBatchOutputBucket: bucket}
	tooMany := map[string]*string{}
	for i := 0; i <= batch.MaxUserTags; i++ {
		tooMany[string(rune('a'+i%26))+strings.Repeat("x", i/26)] = jsii.String("v")
	}
	for i, c := range []struct {
		ext  bedrockbatchstepfn.Extensions
		want string
	}{
		{bedrockbatchstepfn.Extensions{OutputEncryptionKey: awskms.Key_FromKeyArn(stack, jsii.String("BadKey"), jsii.String("arn:aws:kms:us-east-1:111122223333:key/short"))},
			"Extensions.OutputEncryptionKey: \"arn:aws:kms:us-east-1:111122223333:key/short\" is not a KMS key"},
		{bedrockbatchstepfn.Extensions{ExpectedBucketOwner: jsii.String("1111-2222-3333")}, "Extensions.ExpectedBucketOwner: \"1111-2222-3333\" is not an AWS account id (12 digits)"},
		{bedrockbatchstepfn.Extensions{Vpc: &bedrockbatchstepfn.JobVpcConfig{SecurityGroupIds: jsii.Strings("sg-1")}}, "Extensions.Vpc has 0 subnet ids; a job takes 1 to 16"},
		{bedrockbatchstepfn.Extensions{Vpc: &bedrockbatchstepfn.JobVpcConfig{SubnetIds: jsii.Strings("subnet-1"), SecurityGroupIds: jsii.Strings("1", "2", "3", "4", "5", "6")}},
			"Extensions.Vpc has 6 security group ids; a job takes 1 to 5"},
		{bedrockbatchstepfn.Extensions{Vpc: &bedrockbatchstepfn.JobVpcConfig{SubnetIds: jsii.Strings("subnet 1"), SecurityGroupIds: jsii.Strings("sg-1")}},
			"Extensions.Vpc subnet id \"subnet 1\" is not a subnet id"},
		{bedrockbatchstepfn.Extensions{JobTags: &map[string]*string{"aws:team": jsii.String("x")}}, "Extensions.JobTags: tag key \"aws:team\" starts with \"aws:\""},
		{bedrockbatchstepfn.Extensions{JobTags: &map[string]*string{"team": jsii.String("a;b")}}, "Extensions.JobTags: tag \"team\""},
		{bedrockbatchstepfn.Extensions{JobTags: &map[string]*string{"bedrockbatch:x": jsii.String("1")}}, "reserves for the tags it sets itself"},
		{bedrockbatchstepfn.Extensions{JobTags: &map[string]*string{"team": nil}}, "Extensions.JobTags: tag \"team\" has no value"},
		{bedrockbatchstepfn.Extensions{JobTags: &tooMany}, fmt.Sprintf("Extensions.JobTags has %d tags; at most %d", batch.MaxUserTags+1, batch.MaxUserTags)},
	} {
		err := recovered(func() {
			bedrockbatchstepfn.NewBedrockBatchSfnWithExtensions(stack, jsii.Sprintf("F%d", i), p, &c.ext)
		})
		if !strings.Contains(err, c.want) {
			t.Errorf("error %q, want it to say %q", err, c.want)
		}
	}
}
