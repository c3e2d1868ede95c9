package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
	"github.com/bedrockbatch/bedrockbatch/localcloud/lambda"
)

// target creates the resources of a deployment in the local cloud, through
// each service's API where the service has one for it.
type target struct {
	c         *Cloud
	s3        *s3.Client
	events    *eventbridge.Client
	sfn       *sfn.Client
	dynamodb  *dynamodb.Client
	functions *functionRegistry
}

func (t *target) Apply(ctx context.Context, r *deploy.Resolved) error {
	switch r.Type {
	case "AWS::S3::Bucket":
		return t.bucket(ctx, r)
	case "AWS::Lambda::Function":
		return t.function(r)
	case "AWS::Events::Rule":
		return t.rule(ctx, r)
	case "AWS::StepFunctions::StateMachine":
		return t.stateMachine(ctx, r)
	case "AWS::SQS::Queue":
		return t.queue(ctx, r)
	case "AWS::SNS::Topic":
		return t.topic(ctx, r)
	case "AWS::SNS::Subscription":
		return t.subscription(ctx, r)
	case "AWS::Events::EventBus":
		return t.eventBus(ctx, r)
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
		return t.table(ctx, r)
	}
	return deploy.ErrUnsupported
}

func (t *target) bucket(ctx context.Context, r *deploy.Resolved) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(r.PhysicalID)}
	// As on AWS, a bucket outside us-east-1 names its region.
	if region := t.c.opts.Region; region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := t.s3.CreateBucket(ctx, in)
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("create bucket %s: %w", r.PhysicalID, err)
	}
	return nil
}

func (t *target) function(r *deploy.Resolved) error {
	p := r.Properties
	fn := lambda.Function{
		Name:        r.PhysicalID,
		Arn:         r.Arn(),
		Runtime:     str(p["Runtime"]),
		Handler:     str(p["Handler"]),
		Role:        str(p["Role"]),
		Description: str(p["Description"]),
	}
	if n, ok := p["Timeout"].(float64); ok {
		fn.Timeout = time.Duration(n) * time.Second
	}
	if n, ok := p["MemorySize"].(float64); ok {
		fn.MemorySize = int(n)
	}
	if env, ok := p["Environment"].(map[string]any); ok {
		if vars, ok := env["Variables"].(map[string]any); ok {
			fn.Environment = map[string]string{}
			for k, v := range vars {
				fn.Environment[k] = str(v)
			}
		}
	}
	if n, ok := p["ReservedConcurrentExecutions"].(float64); ok {
		fn.Concurrency = int(n)
	}
	if cfg, ok := p["DeadLetterConfig"].(map[string]any); ok {
		fn.DeadLetterArn = str(cfg["TargetArn"])
	}
	if archs, ok := p["Architectures"].([]any); ok {
		for _, a := range archs {
			fn.Architectures = append(fn.Architectures, str(a))
		}
	}
	// An in-process handler (the construct's functions, or one a Go test
	// registers) wins; so does one registered directly with the Lambda
	// service before. Every other function runs its deployed code.
	handler := t.functions.lookup(r.LogicalID, r.PhysicalID, r.Metadata)
	if handler == nil && !t.c.Lambda.HasHandler(fn.Name) {
		code, err := t.code(r)
		if err != nil {
			return fmt.Errorf("function %s cannot run in the local cloud: %w", functionLabel(r), err)
		}
		fn.CodeDir, fn.CodeSha256, fn.CodeSize = code.Dir, code.Sha256, code.Size
	}
	_, err := t.c.Lambda.Deploy(fn, handler)
	if err != nil && fn.CodeDir != "" {
		return fmt.Errorf("function %s cannot run in the local cloud: %w", functionLabel(r), err)
	}
	return err
}

func (t *target) rule(ctx context.Context, r *deploy.Resolved) error {
	p := r.Properties
	in := &eventbridge.PutRuleInput{Name: aws.String(r.PhysicalID)}
	if bus := str(p["EventBusName"]); bus != "" {
		in.EventBusName = aws.String(bus)
	}
	if expr := str(p["ScheduleExpression"]); expr != "" {
		in.ScheduleExpression = aws.String(expr)
	}
	if p["EventPattern"] != nil {
		pattern, err := json.Marshal(p["EventPattern"])
		if err != nil {
			return err
		}
		in.EventPattern = aws.String(string(pattern))
	}
	if s := str(p["State"]); s != "" {
		in.State = ebtypes.RuleState(s)
	}
	if d := str(p["Description"]); d != "" {
		in.Description = aws.String(d)
	}
	if _, err := t.events.PutRule(ctx, in); err != nil {
		return fmt.Errorf("put rule %s: %w", r.PhysicalID, err)
	}
	targets, _ := p["Targets"].([]any)
	if len(targets) == 0 {
		return nil
	}
	var out []ebtypes.Target
	for _, x := range targets {
		m, _ := x.(map[string]any)
		tg := ebtypes.Target{Id: aws.String(str(m["Id"])), Arn: aws.String(str(m["Arn"]))}
		if s := str(m["Input"]); s != "" {
			tg.Input = aws.String(s)
		}
		if s := str(m["InputPath"]); s != "" {
			tg.InputPath = aws.String(s)
		}
		if rp, ok := m["RetryPolicy"].(map[string]any); ok {
			tg.RetryPolicy = &ebtypes.RetryPolicy{}
			if n, ok := rp["MaximumRetryAttempts"].(float64); ok {
				tg.RetryPolicy.MaximumRetryAttempts = aws.Int32(int32(n))
			}
			if n, ok := rp["MaximumEventAgeInSeconds"].(float64); ok {
				tg.RetryPolicy.MaximumEventAgeInSeconds = aws.Int32(int32(n))
			}
		}
		if dl, ok := m["DeadLetterConfig"].(map[string]any); ok && str(dl["Arn"]) != "" {
			tg.DeadLetterConfig = &ebtypes.DeadLetterConfig{Arn: aws.String(str(dl["Arn"]))}
		}
		out = append(out, tg)
	}
	res, err := t.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(r.PhysicalID), EventBusName: in.EventBusName, Targets: out})
	if err != nil {
		return fmt.Errorf("put targets of rule %s: %w", r.PhysicalID, err)
	}
	if res.FailedEntryCount > 0 {
		return fmt.Errorf("put targets of rule %s: %s", r.PhysicalID, aws.ToString(res.FailedEntries[0].ErrorMessage))
	}
	return nil
}

func (t *target) stateMachine(ctx context.Context, r *deploy.Resolved) error {
	p := r.Properties
	def := str(p["DefinitionString"])
	if obj, ok := p["Definition"]; ok && def == "" {
		raw, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		def = string(raw)
	}
	if def == "" {
		if _, ok := p["DefinitionS3Location"]; ok {
			return fmt.Errorf("state machine %s: DefinitionS3Location is not supported locally; use an inline definition", r.LogicalID)
		}
		return fmt.Errorf("state machine %s has no definition", r.LogicalID)
	}
	if subs, ok := p["DefinitionSubstitutions"].(map[string]any); ok {
		keys := make([]string, 0, len(subs))
		for k := range subs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			def = strings.ReplaceAll(def, "${"+k+"}", str(subs[k]))
		}
	}
	name := r.Attrs["Name"]
	role := str(p["RoleArn"])
	if role == "" {
		role = fmt.Sprintf("arn:aws:iam::%s:role/%s", t.c.opts.Account, name)
	}
	_, err := t.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(role),
	})
	var exists *sfntypes.StateMachineAlreadyExists
	if errors.As(err, &exists) {
		_, err = t.sfn.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
			StateMachineArn: aws.String(r.PhysicalID), Definition: aws.String(def), RoleArn: aws.String(role),
		})
	}
	if err != nil {
		return fmt.Errorf("state machine %s: %w", name, err)
	}
	return nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		return fmt.Sprint(x)
	default:
		raw, _ := json.Marshal(x)
		return string(raw)
	}
}
