package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
)

// A job reads back as Submitted right after it is created, as on the
// service, before it moves on.
func TestNewJobReadsBackSubmitted(t *testing.T) {
	env := newEnv(t, envOptions{})
	arn := env.create(createInput("submitted"))
	if j := env.get(arn); j.Status != types.ModelInvocationJobStatusSubmitted {
		t.Fatalf("right after CreateModelInvocationJob the job is %s, want Submitted", j.Status)
	}
	env.wait(arn)
	if j := env.get(arn); j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("job ended %s: %s", j.Status, aws.ToString(j.Message))
	}
}

// The id generated for a record without one never equals another record's
// own id, even one shaped like a generated id.
func TestGeneratedRecordIDsDoNotCollide(t *testing.T) {
	env := newEnv(t, envOptions{})
	env.put("in/ids.jsonl", `{"modelInput":{"n":1}}
{"recordId":"REC00000001","modelInput":{"n":2}}
{"modelInput":{"n":3}}
`)
	in := createInput("ids")
	in.InputDataConfig = &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{
		Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://inbox/in/ids.jsonl")},
	}
	arn := env.create(in)
	env.wait(arn)
	if j := env.get(arn); j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("job ended %s: %s", j.Status, aws.ToString(j.Message))
	}
	out, err := env.store.Get(context.Background(), "outbox", "results/"+jobID(arn)+"/ids.jsonl.out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ids := map[string]int{} // recordId → the n its record asked for
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var line struct {
			RecordID   string          `json:"recordId"`
			ModelInput struct{ N int } `json:"modelInput"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if prev, dup := ids[line.RecordID]; dup {
			t.Fatalf("recordId %s names both record %d and %d", line.RecordID, prev, line.ModelInput.N)
		}
		ids[line.RecordID] = line.ModelInput.N
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids); got != "map[REC00000001:2 REC00000001-1:1 REC00000003:3]" {
		t.Fatalf("output ids %s", got)
	}
}
