package handler

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockbatch/bedrockbatch/batch"
)

// outputKeys lists, in sorted order, every output file (batch.OutputFileSuffix)
// Bedrock wrote for job jobID under the output URI out. Other objects there,
// such as manifest.json.out, are left out.
func (h *JobEvent) outputKeys(ctx context.Context, out batch.S3URI, jobID string) ([]string, error) {
	prefix := batch.JobOutputPrefix(out, jobID)
	keys := []string{}
	pages := s3.NewListObjectsV2Paginator(h.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(out.Bucket),
		Prefix: aws.String(prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list output of job %s under s3://%s/%s: %w", jobID, out.Bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			if key := aws.ToString(obj.Key); strings.HasSuffix(key, batch.OutputFileSuffix) {
				keys = append(keys, key)
			}
		}
	}
	slices.Sort(keys)
	return keys, nil
}
