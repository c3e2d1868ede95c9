package localrun

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/bedrockbatchstepfn/appcontract"
	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
)

// PickBucket chooses the bucket to upload manifests to: want if given, else
// the bucket an app names in its appcontract.OutputBucketName output, else
// the app's only bucket.
func PickBucket(res *deploy.Result, want string) (string, error) {
	if want != "" {
		return want, nil
	}
	for _, outs := range res.Outputs {
		if b := outs[appcontract.OutputBucketName]; b != "" {
			return b, nil
		}
	}
	buckets := res.Find("AWS::S3::Bucket")
	if len(buckets) == 1 {
		return buckets[0].PhysicalID, nil
	}
	var names []string
	for _, b := range buckets {
		names = append(names, b.PhysicalID+" ("+b.LogicalID+")")
	}
	if len(names) == 0 {
		return "", errors.New("the app deploys no bucket to upload the manifests to: give --bucket")
	}
	return "", fmt.Errorf("the app deploys %d buckets; choose the one for the manifests with --bucket: %s", len(names), strings.Join(names, ", "))
}

// PickStateMachine chooses the state machine to run: the one whose name,
// logical id or ARN is want, else the app's only one.
func PickStateMachine(res *deploy.Result, want string) (*deploy.Resolved, error) {
	machines := res.Find("AWS::StepFunctions::StateMachine")
	var names []string
	for _, m := range machines {
		if want != "" && (m.Attrs["Name"] == want || m.LogicalID == want || m.PhysicalID == want) {
			return m, nil
		}
		names = append(names, m.Attrs["Name"])
	}
	switch {
	case want != "":
		return nil, fmt.Errorf("--state-machine %q: the app has %s", want, strings.Join(names, ", "))
	case len(machines) == 1:
		return machines[0], nil
	case len(machines) == 0:
		return nil, errors.New("the app deploys no state machine to run")
	}
	return nil, fmt.Errorf("the app deploys %d state machines; choose one with --state-machine: %s", len(machines), strings.Join(names, ", "))
}

// LedgerTable is the job ledger the app's stacks deploy (the construct's
// stack output appcontract.OutputLedgerTable), or "" when none or more
// than one does, so that watch goes by the jobs' tags instead.
func LedgerTable(res *deploy.Result) string {
	var tables []string
	for _, outputs := range res.Outputs {
		if t := outputs[appcontract.OutputLedgerTable]; t != "" {
			tables = append(tables, t)
		}
	}
	if len(tables) != 1 {
		return ""
	}
	return tables[0]
}
