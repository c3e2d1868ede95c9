package asl_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// An engine runs a definition with Task states answered by Go code: here a
// Map whose iterations call a "double" function, then a Pass that sums up.
func ExampleEngine() {
	double := asl.InvokerFunc(func(_ context.Context, call asl.TaskCall) (json.RawMessage, error) {
		var n int
		if err := json.Unmarshal(call.Input, &n); err != nil {
			return nil, err
		}
		return json.Marshal(2 * n)
	})
	e := asl.NewEngine(asl.Options{Invoker: double})
	defer e.Close()
	sm, err := e.NewStateMachine("doubler", []byte(`{
	  "StartAt": "Each",
	  "States": {
	    "Each": {
	      "Type": "Map", "ItemsPath": "$.numbers", "ResultPath": "$.doubled",
	      "ItemProcessor": {"StartAt": "Double", "States": {
	        "Double": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": true}
	      }},
	      "Next": "Sum"
	    },
	    "Sum": {"Type": "Pass", "Parameters": {"total.$": "States.MathAdd($.doubled[0], $.doubled[1])"}, "End": true}
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	arn, _ := e.Start(asl.StartInput{StateMachine: sm, Input: json.RawMessage(`{"numbers": [20, 1]}`)})
	info, _ := e.Wait(context.Background(), arn)
	fmt.Println(info.Status, string(info.Output))
	// Output: SUCCEEDED {"total":42}
}
