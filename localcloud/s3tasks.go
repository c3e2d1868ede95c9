package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/localcloud/asl"
)

// s3Tasks runs the Amazon S3 integrations Step Functions uses for a
// distributed Map's ItemReader and ResultWriter (getObject,
// listObjectsV2, putObject) through the S3 API.
type s3Tasks struct{ client *awss3.Client }

const s3TaskPrefix = "arn:aws:states:::s3:"

func (t s3Tasks) Invoke(ctx context.Context, call asl.TaskCall) (json.RawMessage, error) {
	op, ok := strings.CutPrefix(call.Resource, s3TaskPrefix)
	if !ok {
		return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf(
			"state %s: resource %s is not served by the local cloud (it runs Lambda functions and the S3 calls of a distributed Map)",
			call.StateName, call.Resource)}
	}
	var in struct {
		Bucket            string
		Key               string
		Prefix            string
		ContinuationToken string
		Body              json.RawMessage
	}
	if err := json.Unmarshal(call.Input, &in); err != nil || in.Bucket == "" {
		return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf("state %s: s3:%s needs Parameters with a Bucket", call.StateName, op)}
	}
	switch op {
	case "getObject":
		out, err := t.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &in.Bucket, Key: &in.Key})
		if err != nil {
			return nil, s3TaskError(err)
		}
		defer out.Body.Close()
		body, err := io.ReadAll(out.Body)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"Body": string(body), "ContentLength": len(body)})
	case "listObjectsV2":
		in2 := &awss3.ListObjectsV2Input{Bucket: &in.Bucket}
		if in.Prefix != "" {
			in2.Prefix = &in.Prefix
		}
		if in.ContinuationToken != "" {
			in2.ContinuationToken = &in.ContinuationToken
		}
		out, err := t.client.ListObjectsV2(ctx, in2)
		if err != nil {
			return nil, s3TaskError(err)
		}
		contents := make([]map[string]any, 0, len(out.Contents))
		for _, o := range out.Contents {
			contents = append(contents, map[string]any{
				"Key": aws.ToString(o.Key), "Size": aws.ToInt64(o.Size), "Etag": aws.ToString(o.ETag),
				"LastModified": aws.ToTime(o.LastModified).Unix(), "StorageClass": string(o.StorageClass),
			})
		}
		res := map[string]any{"Contents": contents, "IsTruncated": aws.ToBool(out.IsTruncated)}
		if out.NextContinuationToken != nil {
			res["NextContinuationToken"] = *out.NextContinuationToken
		}
		return json.Marshal(res)
	case "putObject":
		body := string(in.Body)
		var s string
		if json.Unmarshal(in.Body, &s) == nil {
			body = s // a string Body is stored as its text
		}
		out, err := t.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: &in.Bucket, Key: &in.Key, Body: strings.NewReader(body)})
		if err != nil {
			return nil, s3TaskError(err)
		}
		return json.Marshal(map[string]any{"ETag": aws.ToString(out.ETag)})
	}
	return nil, &asl.Error{Name: "States.Runtime", Cause: fmt.Sprintf("state %s: s3:%s is not served by the local cloud", call.StateName, op)}
}

// s3TaskError names a failed call as Step Functions does for its S3
// integration: S3.<error code>.
func s3TaskError(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return &asl.Error{Name: "S3." + api.ErrorCode(), Cause: api.ErrorMessage()}
	}
	return err
}
