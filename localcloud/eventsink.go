package localcloud

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/bedrock"
)

// sdkEvents publishes the batch engine's job state changes on the default
// bus through the EventBridge API, as Bedrock does.
type sdkEvents struct{ client *eventbridge.Client }

func (s sdkEvents) Publish(ctx context.Context, ev bedrock.Event) error {
	detail, err := json.Marshal(ev.Detail)
	if err != nil {
		return err
	}
	out, err := s.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source:     aws.String(ev.Source),
		DetailType: aws.String(ev.DetailType),
		Detail:     aws.String(string(detail)),
		Resources:  ev.Resources,
		Time:       aws.Time(ev.Time),
	}}})
	if err != nil {
		return fmt.Errorf("put event for %s: %w", ev.Detail.BatchJobArn, err)
	}
	if out.FailedEntryCount > 0 && len(out.Entries) > 0 {
		return fmt.Errorf("put event for %s: %s: %s", ev.Detail.BatchJobArn,
			aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return nil
}

// sdkStatusEvents publishes Step Functions' execution status changes on the
// default bus through the EventBridge API, as Step Functions does.
type sdkStatusEvents struct{ client *eventbridge.Client }

func (s sdkStatusEvents) PutEvent(ctx context.Context, source, detailType string, resources []string, detail []byte) error {
	out, err := s.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(string(detail)), Resources: resources,
	}}})
	if err != nil {
		return fmt.Errorf("put %s event: %w", detailType, err)
	}
	if out.FailedEntryCount > 0 && len(out.Entries) > 0 {
		return fmt.Errorf("put %s event: %s: %s", detailType, aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return nil
}
