package manifest_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/manifest"
)

// ValidateFile finds what Bedrock would reject before a job is paid for:
// here, a line that is not a record.
func ExampleValidateFile() {
	input := `{"recordId": "r1", "modelInput": {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}}
{"recordId": "r2", "modelInput": "not an object"}
`
	_, err := manifest.ValidateFile(strings.NewReader(input), "reviews.jsonl", manifest.Limits{MinRecordsPerJob: 1})
	var merr *manifest.Error
	if errors.As(err, &merr) {
		fmt.Println(merr.File, merr.Line)
	}
	// Output: reviews.jsonl 2
}

// An output file holds one line per record, with the model's answer or the
// record's error.
func ExampleOutputReader() {
	output := `{"recordId": "r1", "modelInput": {}, "modelOutput": {"output": {}}}
{"recordId": "r2", "modelInput": {}, "error": {"errorCode": 400, "errorMessage": "bad input"}}
`
	r := manifest.NewOutputReader(strings.NewReader(output), "reviews.jsonl.out", 0)
	for {
		line, err := r.Next()
		if err != nil {
			break
		}
		fmt.Println(line.RecordID, line.Failed())
	}
	// Output:
	// r1 false
	// r2 true
}
