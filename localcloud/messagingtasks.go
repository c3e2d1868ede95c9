package localcloud

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// messagingTasks runs Step Functions' optimized integrations with SNS,
// SQS and EventBridge through those services' APIs, taking the
// Parameters and answering with the shapes the Step Functions developer
// guide documents
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html).
type messagingTasks struct {
	sns    *awssns.Client
	sqs    *awssqs.Client
	events *eventbridge.Client
}

// messagingResources are the resources messagingTasks serves, without
// their .waitForTaskToken suffix.
var messagingResources = map[string]bool{
	"arn:aws:states:::sns:publish":      true,
	"arn:aws:states:::sqs:sendMessage":  true,
	"arn:aws:states:::events:putEvents": true,
}

func (t messagingTasks) serves(resource string) bool {
	return messagingResources[strings.TrimSuffix(resource, ".waitForTaskToken")]
}

func (t messagingTasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	if call.Pattern == asl.PatternSync {
		return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf(
			"state %s: %s has no .sync pattern; use the resource without a suffix, or with .waitForTaskToken", call.StateName, call.Resource)}
	}
	switch strings.TrimSuffix(call.Resource, ".waitForTaskToken") {
	case "arn:aws:states:::sns:publish":
		return t.publish(ctx, call)
	case "arn:aws:states:::sqs:sendMessage":
		return t.sendMessage(ctx, call)
	default:
		return t.putEvents(ctx, call)
	}
}

// taskAttribute is a message attribute in a task's Parameters.
type taskAttribute struct {
	DataType    string
	StringValue *string
	BinaryValue *string // base64
}

// text is a message parameter: a string as is, any other JSON value
// serialized, as Step Functions does for Message and MessageBody.
type text struct{ s *string }

func (x *text) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		x.s = &s
		return nil
	}
	c := string(b)
	x.s = &c
	return nil
}

func badParameters(call asl.TaskCall, format string, args ...any) error {
	return &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf("state %s: %s: ", call.StateName, call.Resource) + fmt.Sprintf(format, args...)}
}

// taskError names a service error as the integration reports it: the
// service's prefix and the error code.
func taskError(prefix string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return &asl.Error{Name: prefix + "." + api.ErrorCode(), Cause: api.ErrorMessage()}
	}
	return err
}

// sdkMetadata is the SdkHttpMetadata and SdkResponseMetadata members the
// optimized integrations add to the service's answer.
func sdkMetadata(meta middleware.Metadata, out map[string]any) map[string]any {
	id, _ := awsmiddleware.GetRequestIDMetadata(meta)
	out["SdkHttpMetadata"] = map[string]any{"HttpStatusCode": 200, "HttpHeaders": map[string]string{"x-amzn-RequestId": id}}
	out["SdkResponseMetadata"] = map[string]any{"RequestId": id}
	return out
}

func (t messagingTasks) publish(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	var in struct {
		TopicArn, TargetArn, PhoneNumber, Subject, MessageStructure string
		MessageGroupId, MessageDeduplicationId                      string
		Message                                                     text
		MessageAttributes                                           map[string]taskAttribute
	}
	if err := json.Unmarshal(call.Input, &in); err != nil {
		return nil, badParameters(call, "Parameters do not fit sns:publish: %v", err)
	}
	if in.Message.s == nil || (in.TopicArn == "" && in.TargetArn == "") {
		return nil, badParameters(call, "Parameters need a Message and a TopicArn (or TargetArn)")
	}
	req := &awssns.PublishInput{Message: in.Message.s}
	for p, v := range map[**string]string{&req.TopicArn: in.TopicArn, &req.TargetArn: in.TargetArn, &req.Subject: in.Subject,
		&req.MessageStructure: in.MessageStructure, &req.MessageGroupId: in.MessageGroupId, &req.MessageDeduplicationId: in.MessageDeduplicationId} {
		if v != "" {
			*p = aws.String(v)
		}
	}
	attrs, err := messageAttributes(call, in.MessageAttributes, func(dataType string, text *string, bin []byte) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String(dataType), StringValue: text, BinaryValue: bin}
	})
	if err != nil {
		return nil, err
	}
	req.MessageAttributes = attrs
	res, err := t.sns.Publish(ctx, req)
	if err != nil {
		return nil, taskError("SNS", err)
	}
	out := map[string]any{"MessageId": aws.ToString(res.MessageId)}
	if res.SequenceNumber != nil {
		out["SequenceNumber"] = *res.SequenceNumber
	}
	return json.Marshal(sdkMetadata(res.ResultMetadata, out))
}

func (t messagingTasks) sendMessage(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	var in struct {
		QueueUrl                               string
		MessageBody                            text
		DelaySeconds                           *int32
		MessageGroupId, MessageDeduplicationId string
		MessageAttributes                      map[string]taskAttribute
	}
	if err := json.Unmarshal(call.Input, &in); err != nil {
		return nil, badParameters(call, "Parameters do not fit sqs:sendMessage: %v", err)
	}
	if in.QueueUrl == "" || in.MessageBody.s == nil {
		return nil, badParameters(call, "Parameters need a QueueUrl and a MessageBody")
	}
	req := &awssqs.SendMessageInput{QueueUrl: aws.String(in.QueueUrl), MessageBody: in.MessageBody.s}
	if in.DelaySeconds != nil {
		req.DelaySeconds = *in.DelaySeconds
	}
	if in.MessageGroupId != "" {
		req.MessageGroupId = aws.String(in.MessageGroupId)
	}
	if in.MessageDeduplicationId != "" {
		req.MessageDeduplicationId = aws.String(in.MessageDeduplicationId)
	}
	attrs, err := messageAttributes(call, in.MessageAttributes, func(dataType string, text *string, bin []byte) sqstypes.MessageAttributeValue {
		return sqstypes.MessageAttributeValue{DataType: aws.String(dataType), StringValue: text, BinaryValue: bin}
	})
	if err != nil {
		return nil, err
	}
	req.MessageAttributes = attrs
	res, err := t.sqs.SendMessage(ctx, req)
	if err != nil {
		return nil, taskError("SQS", err)
	}
	out := map[string]any{"MessageId": aws.ToString(res.MessageId), "MD5OfMessageBody": aws.ToString(res.MD5OfMessageBody)}
	if res.MD5OfMessageAttributes != nil {
		out["MD5OfMessageAttributes"] = *res.MD5OfMessageAttributes
	}
	if res.SequenceNumber != nil {
		out["SequenceNumber"] = *res.SequenceNumber
	}
	return json.Marshal(sdkMetadata(res.ResultMetadata, out))
}

// putEvents sends Entries; a Detail given as an object is serialized, as
// the integration does. Entries that fail make the task fail with
// EventBridge.FailedEntry, as the developer guide describes.
func (t messagingTasks) putEvents(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	var in struct {
		Entries []struct {
			Detail                           text
			DetailType, Source, EventBusName string
			Resources                        []string
			TraceHeader                      string
		}
	}
	if err := json.Unmarshal(call.Input, &in); err != nil || len(in.Entries) == 0 {
		return nil, badParameters(call, "Parameters need Entries, a list of events with Detail, DetailType and Source")
	}
	req := &eventbridge.PutEventsInput{}
	for _, e := range in.Entries {
		entry := ebtypes.PutEventsRequestEntry{Detail: e.Detail.s, Resources: e.Resources}
		for p, v := range map[**string]string{&entry.DetailType: e.DetailType, &entry.Source: e.Source, &entry.EventBusName: e.EventBusName, &entry.TraceHeader: e.TraceHeader} {
			if v != "" {
				*p = aws.String(v)
			}
		}
		req.Entries = append(req.Entries, entry)
	}
	res, err := t.events.PutEvents(ctx, req)
	if err != nil {
		return nil, taskError("EventBridge", err)
	}
	entries := make([]map[string]string, 0, len(res.Entries))
	for _, e := range res.Entries {
		m := map[string]string{}
		if e.EventId != nil {
			m["EventId"] = *e.EventId
		}
		if e.ErrorCode != nil {
			m["ErrorCode"], m["ErrorMessage"] = *e.ErrorCode, aws.ToString(e.ErrorMessage)
		}
		entries = append(entries, m)
	}
	if res.FailedEntryCount > 0 {
		raw, _ := json.Marshal(entries)
		return nil, &asl.Error{Name: "EventBridge.FailedEntry", Cause: fmt.Sprintf("%d of %d entries failed: %s", res.FailedEntryCount, len(entries), raw)}
	}
	return json.Marshal(map[string]any{"Entries": entries, "FailedEntryCount": res.FailedEntryCount})
}

func newMessagingTasks(cfg aws.Config) messagingTasks {
	return messagingTasks{sns: awssns.NewFromConfig(cfg), sqs: awssqs.NewFromConfig(cfg), events: eventbridge.NewFromConfig(cfg)}
}

// messageAttributes converts a task's MessageAttributes (binary values in
// base64, as the state's JSON carries them) into the SDK's type made by
// value; none gives nil.
func messageAttributes[V any](call asl.TaskCall, in map[string]taskAttribute, value func(dataType string, text *string, bin []byte) V) (map[string]V, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]V, len(in))
	for k, a := range in {
		var bin []byte
		if a.BinaryValue != nil {
			b, err := base64.StdEncoding.DecodeString(*a.BinaryValue)
			if err != nil {
				return nil, badParameters(call, "MessageAttributes.%s.BinaryValue is not base64", k)
			}
			bin = b
		}
		out[k] = value(a.DataType, a.StringValue, bin)
	}
	return out, nil
}
