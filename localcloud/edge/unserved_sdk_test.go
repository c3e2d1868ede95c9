package edge_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/localcloud/cloudtest"
	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
)

// A client of a service the endpoint does not serve gets the router's
// error in its own protocol, so the SDK reports the code and message
// instead of failing to parse the answer: an <ErrorResponse> document for
// query-protocol clients such as CloudFormation
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html),
// a JSON body with __type for awsJson clients such as EventBridge
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
func TestUnservedServicesAnswerInTheirProtocol(t *testing.T) {
	srv := cloudtest.Start(t, false)
	srv.Router.Register(edge.S3, http.NotFoundHandler())
	cfg, endpoint := srv.Config()
	ctx := context.Background()
	check := func(name string, err error) {
		t.Helper()
		var api smithy.APIError
		if !errors.As(err, &api) {
			t.Fatalf("%s: %v is not a service error", name, err)
		}
		if api.ErrorCode() != "UnknownServiceException" || !strings.Contains(api.ErrorMessage(), "is not served by this local cloud endpoint") ||
			!strings.Contains(api.ErrorMessage(), "s3") {
			t.Errorf("%s: code %q message %q", name, api.ErrorCode(), api.ErrorMessage())
		}
	}
	cf := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(endpoint) })
	_, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	check("CloudFormation (query)", err)
	eb := eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(endpoint) })
	_, err = eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	check("EventBridge (awsJson1.1)", err)
}
