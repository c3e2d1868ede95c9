package events_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Events put through the API are listed newest first with the enabled
// rules they matched, and a rejected entry is not listed.
func TestRecentEventsNameMatchedRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, t.TempDir(), nil)
	for _, r := range []struct{ name, pattern string }{
		{"bedrock-any", `{"source":["aws.bedrock"]}`},
		{"bedrock-completed", `{"source":["aws.bedrock"],"detail":{"status":["Completed"]}}`},
		{"other", `{"source":["app"]}`},
	} {
		if _, err := e.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(r.name), EventPattern: aws.String(r.pattern)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.client.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("bedrock-any")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("aws.bedrock"), DetailType: aws.String("Batch Inference Job State Change"), Detail: aws.String(`{"status":"Completed"}`)},
		{Source: aws.String("nobody"), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{Source: aws.String("app"), DetailType: aws.String("t"), Detail: aws.String(`not json`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := e.events.RecentEvents()
	if len(got) != 2 {
		t.Fatalf("listed %d events, want the 2 accepted: %+v", len(got), got)
	}
	if got[0].Source != "nobody" || len(got[0].Rules) != 0 || got[0].ID != aws.ToString(out.Entries[1].EventId) {
		t.Errorf("newest event %+v, want the unmatched one first", got[0])
	}
	first := got[1]
	if first.ID != aws.ToString(out.Entries[0].EventId) || first.DetailType != "Batch Inference Job State Change" ||
		first.Detail != `{"status":"Completed"}` || first.Time.IsZero() {
		t.Errorf("event %+v", first)
	}
	if want := []string{"bedrock-completed"}; !reflect.DeepEqual(first.Rules, want) {
		t.Errorf("matched rules %v, want %v (a disabled rule does not match)", first.Rules, want)
	}
}
