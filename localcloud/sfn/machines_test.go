package sfn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestStateMachineLifecycle(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	arn := f.create(t, "Alpha", passChoice)
	if want := "arn:aws:states:us-east-1:123456789012:stateMachine:Alpha"; arn != want {
		t.Errorf("ARN %s, want %s", arn, want)
	}

	// Creating the same machine again is idempotent; another definition
	// under the name is refused.
	if again := f.create(t, "Alpha", passChoice); again != arn {
		t.Errorf("identical create returned %s, want %s", again, arn)
	}
	_, err := f.client.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{
		Name: aws.String("Alpha"), Definition: aws.String(tokenTask), RoleArn: aws.String(role),
	})
	wantAPIError[*types.StateMachineAlreadyExists](t, err, arn)

	d, err := f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Name) != "Alpha" || aws.ToString(d.Definition) != passChoice || aws.ToString(d.RoleArn) != role ||
		d.Type != types.StateMachineTypeStandard || d.Status != types.StateMachineStatusActive {
		t.Errorf("describe: name %q type %q status %q role %q definition %q", aws.ToString(d.Name), d.Type, d.Status, aws.ToString(d.RoleArn), aws.ToString(d.Definition))
	}
	if d.CreationDate == nil || d.CreationDate.Before(before) || d.CreationDate.After(time.Now().Add(time.Second)) {
		t.Errorf("creation date %v is not the time of the create", d.CreationDate)
	}
	if d.LoggingConfiguration == nil || d.LoggingConfiguration.Level != types.LogLevelOff {
		t.Errorf("logging configuration %+v, want level OFF by default", d.LoggingConfiguration)
	}

	// Update: the new definition is described, with a revision id.
	upd, err := f.client.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(tokenTask)})
	if err != nil {
		t.Fatal(err)
	}
	if upd.UpdateDate == nil || aws.ToString(upd.RevisionId) == "" {
		t.Errorf("update returned date %v revision %q", upd.UpdateDate, aws.ToString(upd.RevisionId))
	}
	d, err = f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Definition) != tokenTask || aws.ToString(d.RevisionId) != aws.ToString(upd.RevisionId) {
		t.Errorf("after update: definition %q revision %q", aws.ToString(d.Definition), aws.ToString(d.RevisionId))
	}
	_, err = f.client.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn)})
	wantAPIError[*types.MissingRequiredParameter](t, err, "definition")
	_, err = f.client.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(`{"StartAt":"X","States":{}}`)})
	wantAPIError[*types.InvalidDefinition](t, err, "X")

	// Delete: gone, and deleting again succeeds.
	if _, err := f.client.DeleteStateMachine(ctx, &awssfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	wantAPIError[*types.StateMachineDoesNotExist](t, err, arn)
	if _, err := f.client.DeleteStateMachine(ctx, &awssfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
		t.Errorf("deleting a deleted state machine: %v", err)
	}
	_, err = f.client.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
	wantAPIError[*types.StateMachineDoesNotExist](t, err, arn)
}

func TestListStateMachinesPages(t *testing.T) {
	f := newFixture(t, "")
	names := []string{"m-c", "m-a", "m-e", "m-b", "m-d"}
	for _, n := range names {
		f.create(t, n, passChoice)
	}
	p := awssfn.NewListStateMachinesPaginator(f.client, &awssfn.ListStateMachinesInput{MaxResults: 2})
	var got []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.StateMachines) > 2 {
			t.Errorf("page of %d items with MaxResults 2", len(page.StateMachines))
		}
		for _, m := range page.StateMachines {
			if m.CreationDate == nil || m.Type != types.StateMachineTypeStandard || !strings.HasSuffix(aws.ToString(m.StateMachineArn), ":"+aws.ToString(m.Name)) {
				t.Errorf("list item %+v", m)
			}
			got = append(got, aws.ToString(m.Name))
		}
	}
	if want := "m-a m-b m-c m-d m-e"; strings.Join(got, " ") != want || pages != 3 {
		t.Errorf("listed %v in %d pages, want %s in 3", got, pages, want)
	}
	_, err := f.client.ListStateMachines(context.Background(), &awssfn.ListStateMachinesInput{NextToken: aws.String("not-a-token!")})
	wantAPIError[*types.InvalidToken](t, err, "nextToken")
}

func TestCreateStateMachineValidation(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	create := func(name, def, roleArn string) error {
		_, err := f.client.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(roleArn),
		})
		return err
	}
	broken := `{"StartAt": "First", "States": {"First": {"Type": "Pass", "Next": "Nowhere"}}}`
	wantAPIError[*types.InvalidDefinition](t, create("Broken", broken, role), "First", "Nowhere")
	wantAPIError[*types.InvalidDefinition](t, create("NotJSON", "{", role), "JSON")
	wantAPIError[*types.InvalidName](t, create("has space", passChoice, role), "has space")
	wantAPIError[*types.InvalidName](t, create(strings.Repeat("n", 81), passChoice, role), "80")
	wantAPIError[*types.InvalidArn](t, create("BadRole", passChoice, "role/x"), "roleArn")

	_, err := f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
	wantAPIError[*types.InvalidArn](t, err, "stateMachine")
	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:Nope"
	_, err = f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(missing)})
	wantAPIError[*types.StateMachineDoesNotExist](t, err, missing)

	v, err := f.client.ValidateStateMachineDefinition(ctx, &awssfn.ValidateStateMachineDefinitionInput{Definition: aws.String(broken)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(v.Diagnostics) == 0 || !strings.Contains(aws.ToString(v.Diagnostics[0].Message), "First") {
		t.Errorf("validate: result %s diagnostics %+v", v.Result, v.Diagnostics)
	}
	v, err = f.client.ValidateStateMachineDefinition(ctx, &awssfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passChoice)})
	if err != nil || v.Result != types.ValidateStateMachineDefinitionResultCodeOk || len(v.Diagnostics) != 0 {
		t.Errorf("validate a valid definition: %+v, %v", v, err)
	}
}

func TestCreateOrUpdateStateMachine(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	arn, changed, err := f.svc.CreateOrUpdateStateMachine(ctx, "Deployed", passChoice, role)
	if err != nil || !changed {
		t.Fatalf("first deploy: changed %v, err %v", changed, err)
	}
	// The same definition, laid out differently, changes nothing.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(passChoice)); err != nil {
		t.Fatal(err)
	}
	again, changed, err := f.svc.CreateOrUpdateStateMachine(ctx, "Deployed", compact.String(), role)
	if err != nil || changed || again != arn {
		t.Fatalf("redeploy: arn %s changed %v err %v", again, changed, err)
	}
	if _, changed, err = f.svc.CreateOrUpdateStateMachine(ctx, "Deployed", tokenTask, ""); err != nil || !changed {
		t.Fatalf("new definition: changed %v err %v", changed, err)
	}
	d, err := f.client.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Definition) != tokenTask || aws.ToString(d.RoleArn) != role {
		t.Errorf("after redeploy: role %s definition %s", aws.ToString(d.RoleArn), aws.ToString(d.Definition))
	}
	_, _, err = f.svc.CreateOrUpdateStateMachine(ctx, "Deployed", `{"StartAt":"Gone","States":{}}`, role)
	if err == nil || !strings.Contains(err.Error(), "InvalidDefinition") || !strings.Contains(err.Error(), "Gone") {
		t.Errorf("invalid definition: %v", err)
	}
}
