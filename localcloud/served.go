package localcloud

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
)

// What the local cloud serves of a template, decided per resource type:
// served types are created through the services' APIs; recorded types are
// kept in the deployment record only, because locally they change nothing
// a run could notice (permissions, log groups, the CDK's metadata); every
// other type is unserved, and deploy refuses the app before creating
// anything, listing them all.

// servedTypes are the resource types the local cloud creates.
var servedTypes = map[string]bool{
	"AWS::S3::Bucket":                  true,
	"AWS::Lambda::Function":            true,
	"AWS::Events::Rule":                true,
	"AWS::Events::EventBus":            true,
	"AWS::StepFunctions::StateMachine": true,
	"AWS::SQS::Queue":                  true,
	"AWS::SNS::Topic":                  true,
	"AWS::SNS::Subscription":           true,
	"AWS::DynamoDB::Table":             true,
	"AWS::DynamoDB::GlobalTable":       true,
}

// recordedTypes are the types kept in the record only, each harmless to
// leave out locally: the local services check no permissions and keep
// function output in the service log.
var recordedTypes = map[string]bool{
	"AWS::IAM::Role":              true,
	"AWS::IAM::Policy":            true,
	"AWS::IAM::ManagedPolicy":     true,
	"AWS::Lambda::Permission":     true,
	"AWS::S3::BucketPolicy":       true,
	"AWS::SQS::QueuePolicy":       true,
	"AWS::SNS::TopicPolicy":       true,
	"AWS::Events::EventBusPolicy": true,
	"AWS::Logs::LogGroup":         true,
	"AWS::CDK::Metadata":          true,
	// Empties a bucket when its stack is deleted; a local run deletes no
	// stack.
	"Custom::S3AutoDeleteObjects": true,
}

// servedTaskResources are the Task resources of Step Functions the local
// interpreter runs, each with the integration patterns it serves ("" is
// request/response).
var servedTaskResources = map[string][]string{
	"arn:aws:states:::lambda:invoke":              {"", ".waitForTaskToken"},
	"arn:aws:states:::sns:publish":                {"", ".waitForTaskToken"},
	"arn:aws:states:::sqs:sendMessage":            {"", ".waitForTaskToken"},
	"arn:aws:states:::events:putEvents":           {"", ".waitForTaskToken"},
	"arn:aws:states:::states:startExecution":      {"", ".sync", ".sync:2", ".waitForTaskToken"},
	"arn:aws:states:::aws-sdk:sfn:describeMapRun": {""},
	"arn:aws:states:::dynamodb:putItem":           {""},
	"arn:aws:states:::dynamodb:getItem":           {""},
	"arn:aws:states:::dynamodb:updateItem":        {""},
	"arn:aws:states:::dynamodb:deleteItem":        {""},
	"arn:aws:states:::bedrock:invokeModel":        {""},
}

// servedMapResources are the resources of a distributed Map's ItemReader
// and ResultWriter the interpreter runs.
var servedMapResources = map[string]map[string]bool{
	"ItemReader":   {"arn:aws:states:::s3:getObject": true, "arn:aws:states:::s3:listObjectsV2": true},
	"ResultWriter": {"arn:aws:states:::s3:putObject": true},
}

// functionARN is a bare Lambda function ARN as a Task resource.
var functionARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$`)

// servedTask reports whether the interpreter runs a Task resource.
func servedTask(resource string) bool {
	if functionARN.MatchString(resource) {
		return true
	}
	for base, patterns := range servedTaskResources {
		for _, p := range patterns {
			if resource == base+p {
				return true
			}
		}
	}
	return false
}

// Check implements deploy.Checker.
func (t *target) Check(r *deploy.Resolved) []string {
	switch {
	case r.Type == "AWS::Lambda::Function":
		return t.checkFunction(r)
	case r.Type == "AWS::StepFunctions::StateMachine":
		return checkStateMachine(r)
	case r.Type == "AWS::SNS::Subscription":
		if p := str(r.Properties["Protocol"]); !servedProtocols[p] {
			return []string{fmt.Sprintf("protocol %q: the local SNS delivers to sqs, lambda, http and https endpoints", p)}
		}
	case r.Type == "AWS::SNS::Topic":
		subs, _ := r.Properties["Subscription"].([]any)
		var out []string
		for i, s := range subs {
			m, _ := s.(map[string]any)
			if p := str(m["Protocol"]); !servedProtocols[p] {
				out = append(out, fmt.Sprintf("Subscription[%d] protocol %q: the local SNS delivers to sqs, lambda, http and https endpoints", i, p))
			}
		}
		return out
	case r.Type == "AWS::Events::Rule":
		return checkRuleTargets(r)
	case servedTypes[r.Type] || recordedTypes[r.Type]:
	default:
		return []string{"resource type not served by the local cloud"}
	}
	return nil
}

var servedProtocols = map[string]bool{"sqs": true, "lambda": true, "http": true, "https": true}

// ruleTarget is the ARN of a rule target the local EventBridge delivers
// to: a function, a queue or a topic.
var ruleTarget = regexp.MustCompile(`^arn:aws[a-z-]*:(lambda|sqs|sns):`)

// checkRuleTargets lists the targets of a rule the local EventBridge
// cannot deliver to, and the target fields it does not apply.
func checkRuleTargets(r *deploy.Resolved) []string {
	targets, _ := r.Properties["Targets"].([]any)
	var out []string
	for _, x := range targets {
		m, _ := x.(map[string]any)
		id, arn := str(m["Id"]), str(m["Arn"])
		if !ruleTarget.MatchString(arn) {
			out = append(out, fmt.Sprintf("target %s (%s): the local EventBridge delivers to Lambda functions, SQS queues and SNS topics", id, arn))
		}
		for _, field := range []string{"InputTransformer", "SqsParameters", "HttpParameters", "KinesisParameters", "EcsParameters", "BatchParameters", "RunCommandParameters"} {
			if m[field] != nil {
				out = append(out, fmt.Sprintf("target %s: %s is not applied by the local EventBridge (it applies Input and InputPath)", id, field))
			}
		}
	}
	return out
}

// checkFunction finds what keeps a function from running: the checks its
// deployment makes, without unpacking anything. A function with an
// in-process handler runs that handler whatever its code.
func (t *target) checkFunction(r *deploy.Resolved) []string {
	if t.functions.lookup(r.LogicalID, r.PhysicalID, r.Metadata) != nil || t.c.Lambda.HasHandler(r.PhysicalID) {
		return nil
	}
	p := r.Properties
	if str(p["PackageType"]) == "Image" {
		return []string{"a container image function (PackageType Image): the local cloud runs zip functions without Docker"}
	}
	var out []string
	switch rt := str(p["Runtime"]); {
	case strings.HasPrefix(rt, "provided"), strings.HasPrefix(rt, "nodejs"), strings.HasPrefix(rt, "python3"):
	default:
		if rt == "" {
			rt = "(none)"
		}
		out = append(out, fmt.Sprintf("runtime %s: the local cloud runs provided.al2023 and provided.al2 (a bootstrap executable), nodejs* and python3.* functions", rt))
	}
	if layers, _ := p["Layers"].([]any); len(layers) > 0 {
		out = append(out, fmt.Sprintf("its Layers %s: the local cloud runs a function's own package without layers; put what the function needs in its package", str(layers)))
	}
	code, _ := p["Code"].(map[string]any)
	if str(code["ZipFile"]) == "" && r.AssetPath == "" {
		out = append(out, "its code is not an asset of the cloud assembly: give it with lambda.Code_FromAsset or a bundling construct, so the assembly holds it")
	}
	return out
}

// checkStateMachine lists the states whose resources the interpreter
// does not run, by state name and resource ARN, in nested branches and
// Map processors too.
func checkStateMachine(r *deploy.Resolved) []string {
	p := r.Properties
	def := str(p["DefinitionString"])
	if obj, ok := p["Definition"]; ok && def == "" {
		raw, _ := json.Marshal(obj)
		def = string(raw)
	}
	if def == "" {
		return nil // deploy reports a machine without a definition
	}
	if subs, ok := p["DefinitionSubstitutions"].(map[string]any); ok {
		for k, v := range subs {
			def = strings.ReplaceAll(def, "${"+k+"}", str(v))
		}
	}
	var doc machineDoc
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		return nil // CreateStateMachine reports the definition's error
	}
	var out []string
	doc.walk(func(state, field, resource string) {
		served := servedTask(resource)
		if field != "" {
			served = servedMapResources[field][resource]
		}
		if !served {
			where := fmt.Sprintf("state %q", state)
			if field != "" {
				where += " " + field
			}
			out = append(out, fmt.Sprintf("%s calls %s, an integration the local interpreter does not run", where, resource))
		}
	})
	sort.Strings(out)
	return out
}

// machineDoc is the part of a state machine definition that names
// resources.
type machineDoc struct {
	States map[string]struct {
		Type, Resource string
		Branches       []machineDoc
		Iterator       *machineDoc
		ItemProcessor  *machineDoc
		ItemReader     *struct{ Resource string }
		ResultWriter   *struct{ Resource string }
	}
}

func (d machineDoc) walk(visit func(state, field, resource string)) {
	for name, st := range d.States {
		if st.Type == "Task" {
			visit(name, "", st.Resource)
		}
		for _, b := range st.Branches {
			b.walk(visit)
		}
		for _, sub := range []*machineDoc{st.Iterator, st.ItemProcessor} {
			if sub != nil {
				sub.walk(visit)
			}
		}
		if st.ItemReader != nil {
			visit(name, "ItemReader", st.ItemReader.Resource)
		}
		if st.ResultWriter != nil && st.ResultWriter.Resource != "" {
			visit(name, "ResultWriter", st.ResultWriter.Resource)
		}
	}
}

// unservedAdvice ends the message that lists what is not served.
const unservedAdvice = "To run this app locally, leave these out when it is synthesized for the local cloud " +
	"(local run and local serve set the CDK context value \"bedrockbatch:inProcessFunctions\" to true: " +
	"test it with app.Node().TryGetContext), or use what the local cloud serves instead: " +
	"the README section \"Your own functions and services\" lists it."
