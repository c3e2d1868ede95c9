package batch

import (
	"fmt"
	"regexp"
)

// ValidModelInvocationType reports whether t is a model invocation type
// CreateModelInvocationJob accepts; empty means InvokeModel.
func ValidModelInvocationType(t string) error {
	switch t {
	case "", InvocationInvokeModel, InvocationConverse:
		return nil
	}
	return fmt.Errorf("%q is not a model invocation type: use %s (records are the model's InvokeModel bodies, the default) "+
		"or %s (records are Converse requests, as `bedrockbatch prepare --converse` writes them)",
		t, InvocationInvokeModel, InvocationConverse)
}

// Patterns of CreateModelInvocationJob's KmsKeyId, AccountId, SubnetId and
// SecurityGroupId shapes (Bedrock's API model), anchored.
var (
	kmsKeyIDPattern  = regexp.MustCompile(`^(?:(arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+))$`)
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	vpcIDPattern     = regexp.MustCompile(`^[-0-9a-zA-Z]+$`)
)

// Limits of the same shapes.
const (
	MaxKMSKeyIDLen      = 2048
	MaxSubnets          = 16
	MaxSecurityGroups   = 5
	maxVpcResourceIDLen = 32
)

// ValidKMSKeyID reports whether id names a KMS key the way s3EncryptionKeyId
// accepts: a key id, a key or alias ARN, or alias/<name>.
func ValidKMSKeyID(id string) error {
	if id == "" || len(id) > MaxKMSKeyIDLen || !kmsKeyIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not a KMS key: give the key's id (36 characters), its ARN "+
			"(arn:aws:kms:<region>:<account>:key/<id>), an alias ARN or alias/<name>", id)
	}
	return nil
}

// ValidAccountID reports whether id is a 12-digit AWS account id.
func ValidAccountID(id string) error {
	if !accountIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not an AWS account id (12 digits)", id)
	}
	return nil
}

// ValidVpcConfig checks the subnet and security group ids of a job's VPC
// configuration: 1–16 subnets and 1–5 security groups, ids of letters,
// digits and '-' up to 32 characters.
func ValidVpcConfig(v VpcConfig) error {
	if n := len(v.SubnetIDs); n < 1 || n > MaxSubnets {
		return fmt.Errorf("has %d subnet ids; a job takes 1 to %d", n, MaxSubnets)
	}
	if n := len(v.SecurityGroupIDs); n < 1 || n > MaxSecurityGroups {
		return fmt.Errorf("has %d security group ids; a job takes 1 to %d", n, MaxSecurityGroups)
	}
	for _, id := range v.SubnetIDs {
		if len(id) > maxVpcResourceIDLen || !vpcIDPattern.MatchString(id) {
			return fmt.Errorf("subnet id %q is not a subnet id such as subnet-0123456789abcdef0", id)
		}
	}
	for _, id := range v.SecurityGroupIDs {
		if len(id) > maxVpcResourceIDLen || !vpcIDPattern.MatchString(id) {
			return fmt.Errorf("security group id %q is not a security group id such as sg-0123456789abcdef0", id)
		}
	}
	return nil
}
