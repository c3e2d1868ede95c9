package deploy

import (
	"fmt"
	"strings"
)

// identify fills in a resolved resource's physical id and attributes from
// its type and (already resolved) properties, the way CloudFormation names
// resources: an explicit name property wins, otherwise a deterministic
// generated name.
func identify(r *Resolved, env Env) {
	p := r.Properties
	name := func(prop string, max int, lower bool) string {
		if s, ok := p[prop].(string); ok && s != "" {
			return s
		}
		return physicalName(r.Stack, r.LogicalID, max, lower)
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", env.Partition, service, env.Region, env.Account, resource)
	}
	global := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s::%s:%s", env.Partition, service, env.Account, resource)
	}
	r.Attrs = map[string]string{}
	switch r.Type {
	case "AWS::S3::Bucket":
		n := name("BucketName", 63, true)
		r.PhysicalID = n
		r.Attrs["Arn"] = fmt.Sprintf("arn:%s:s3:::%s", env.Partition, n)
		r.Attrs["DomainName"] = n + ".s3.amazonaws.com"
		r.Attrs["RegionalDomainName"] = n + ".s3." + env.Region + ".amazonaws.com"
		r.Attrs["DualStackDomainName"] = n + ".s3.dualstack." + env.Region + ".amazonaws.com"
		r.Attrs["WebsiteURL"] = "http://" + n + ".s3-website-" + env.Region + ".amazonaws.com"
	case "AWS::IAM::Role":
		n := name("RoleName", 64, false)
		path, _ := p["Path"].(string)
		if path == "" {
			path = "/"
		}
		r.PhysicalID = n
		r.Attrs["Arn"] = global("iam", "role"+path+n)
		r.Attrs["RoleId"] = "AROA" + shortID(r)
	case "AWS::IAM::ManagedPolicy":
		n := name("ManagedPolicyName", 128, false)
		r.PhysicalID = global("iam", "policy/"+n)
		r.Attrs["PolicyArn"] = r.PhysicalID
		r.Attrs["Arn"] = r.PhysicalID
	case "AWS::IAM::Policy":
		r.PhysicalID = name("PolicyName", 128, false)
	case "AWS::Lambda::Function":
		n := name("FunctionName", 64, false)
		r.PhysicalID = n
		r.Attrs["Arn"] = arn("lambda", "function:"+n)
	case "AWS::Events::Rule":
		n := name("Name", 64, false)
		r.PhysicalID = n
		r.Attrs["Arn"] = arn("events", "rule/"+n)
	case "AWS::Events::EventBus":
		n := name("Name", 256, false)
		r.PhysicalID = n
		r.Attrs["Arn"] = arn("events", "event-bus/"+n)
		r.Attrs["Name"] = n
	case "AWS::StepFunctions::StateMachine":
		n := name("StateMachineName", 80, false)
		r.PhysicalID = arn("states", "stateMachine:"+n)
		r.Attrs["Arn"] = r.PhysicalID
		r.Attrs["Name"] = n
	case "AWS::SQS::Queue":
		// Ref is the queue URL; the local cloud replaces this AWS form
		// with the URL of its own endpoint when it creates the queue.
		n := name("QueueName", 80, false)
		if _, named := p["QueueName"].(string); !named && isTrue(p["FifoQueue"]) {
			n = physicalName(r.Stack, r.LogicalID, 75, false) + ".fifo"
		}
		r.PhysicalID = fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", env.Region, env.Account, n)
		r.Attrs["Arn"] = arn("sqs", n)
		r.Attrs["QueueName"] = n
		r.Attrs["QueueUrl"] = r.PhysicalID
	case "AWS::SNS::Topic":
		n := name("TopicName", 256, false)
		if _, named := p["TopicName"].(string); !named && isTrue(p["FifoTopic"]) {
			n = physicalName(r.Stack, r.LogicalID, 251, false) + ".fifo"
		}
		r.PhysicalID = arn("sns", n)
		r.Attrs["TopicArn"] = r.PhysicalID
		r.Attrs["TopicName"] = n
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
		n := name("TableName", 255, false)
		r.PhysicalID = n
		r.Attrs["Arn"] = arn("dynamodb", "table/"+n)
		// The stream label is fixed per table so that StreamArn resolves
		// before the table exists, as CloudFormation's does after.
		r.Attrs["StreamArn"] = arn("dynamodb", "table/"+n+"/stream/1970-01-01T00:00:00.000")
	case "AWS::Logs::LogGroup":
		n := name("LogGroupName", 512, false)
		r.PhysicalID = n
		r.Attrs["Arn"] = arn("logs", "log-group:"+n+":*")
	default:
		r.PhysicalID = physicalName(r.Stack, r.LogicalID, 128, false)
		r.Attrs["Arn"] = arn(serviceOf(r.Type), r.PhysicalID)
	}
}

// isTrue reads a boolean property, given as a JSON boolean or a string.
func isTrue(v any) bool { return v == true || v == "true" }

// shortID is a stable 17-character id for a resource's unique-id attributes.
func shortID(r *Resolved) string {
	n := physicalName(r.Stack, r.LogicalID, 200, false)
	return n[len(n)-12:] + "LOCAL"
}

// serviceOf maps AWS::Service::Type to the ARN service name.
func serviceOf(typ string) string {
	parts := strings.Split(typ, "::")
	if len(parts) < 2 {
		return "unknown"
	}
	return strings.ToLower(parts[1])
}
