package sfn_test

import (
	"context"
	"fmt"

	"github.com/bedrockbatch/bedrockbatch/localcloud/sfn"
)

// A deploy step makes sure a state machine runs a definition; running it
// again with the same definition changes nothing.
func ExampleService_CreateOrUpdateStateMachine() {
	svc, err := sfn.New(sfn.Config{}) // no DataDir: kept in memory
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	definition := `{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": true}}}`
	ctx := context.Background()
	arn, changed, err := svc.CreateOrUpdateStateMachine(ctx, "Hello", definition, "")
	fmt.Println(arn, changed, err)
	_, changed, err = svc.CreateOrUpdateStateMachine(ctx, "Hello", definition, "")
	fmt.Println(changed, err)
	// Output:
	// arn:aws:states:us-east-1:123456789012:stateMachine:Hello true <nil>
	// false <nil>
}
