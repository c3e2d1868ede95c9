package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bedrockbatch/bedrockbatch/localcloud/deploy"
)

// table creates an AWS::DynamoDB::Table (or the local replica of an
// AWS::DynamoDB::GlobalTable) through the DynamoDB API, then its TTL and
// point-in-time recovery settings
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html).
// A table that exists keeps its items; its key schema is not changed.
func (t *target) table(ctx context.Context, r *deploy.Resolved) error {
	p := r.Properties
	var in dynamodb.CreateTableInput
	// The key, index and billing properties have the API's names and shapes.
	shared := map[string]any{}
	for _, k := range []string{"AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "TableClass", "DeletionProtectionEnabled", "Tags"} {
		if v, ok := p[k]; ok {
			shared[k] = v
		}
	}
	raw, _ := json.Marshal(shared)
	if err := json.Unmarshal(raw, &in); err != nil {
		return fmt.Errorf("table %s: %w", r.LogicalID, err)
	}
	in.TableName = aws.String(r.PhysicalID)
	if r.Type == "AWS::DynamoDB::GlobalTable" && in.BillingMode == "" {
		in.BillingMode = ddbtypes.BillingModePayPerRequest
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil {
		return fmt.Errorf("table %s: give BillingMode PAY_PER_REQUEST or ProvisionedThroughput", r.LogicalID)
	}
	if s, ok := p["StreamSpecification"].(map[string]any); ok {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(str(s["StreamViewType"]))}
	}
	if s, ok := p["SSESpecification"].(map[string]any); ok {
		enabled, _ := s["SSEEnabled"].(bool)
		in.SSESpecification = &ddbtypes.SSESpecification{Enabled: aws.Bool(enabled), SSEType: ddbtypes.SSEType(str(s["SSEType"]))}
		if k := str(s["KMSMasterKeyId"]); k != "" {
			in.SSESpecification.KMSMasterKeyId = aws.String(k)
		}
	}
	_, err := t.dynamodb.CreateTable(ctx, &in)
	var inUse *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", r.PhysicalID, err)
	}
	if err := t.tableTTL(ctx, r.PhysicalID, p["TimeToLiveSpecification"]); err != nil {
		return err
	}
	pitr := p["PointInTimeRecoverySpecification"]
	if replicas, ok := p["Replicas"].([]any); ok {
		for _, x := range replicas {
			if rep, ok := x.(map[string]any); ok && str(rep["Region"]) == t.c.opts.Region {
				pitr = rep["PointInTimeRecoverySpecification"]
			}
		}
	}
	if s, ok := pitr.(map[string]any); ok {
		enabled, _ := s["PointInTimeRecoveryEnabled"].(bool)
		if _, err := t.dynamodb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
			TableName:                        aws.String(r.PhysicalID),
			PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(enabled)},
		}); err != nil {
			return fmt.Errorf("table %s point-in-time recovery: %w", r.PhysicalID, err)
		}
	}
	return nil
}

// tableTTL brings the table's TTL to the template's setting.
func (t *target) tableTTL(ctx context.Context, name string, spec any) error {
	want := ""
	if s, ok := spec.(map[string]any); ok {
		if enabled, _ := s["Enabled"].(bool); enabled {
			want = str(s["AttributeName"])
		}
	}
	cur, err := t.dynamodb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("table %s TTL: %w", name, err)
	}
	have := ""
	if cur.TimeToLiveDescription.TimeToLiveStatus == ddbtypes.TimeToLiveStatusEnabled {
		have = aws.ToString(cur.TimeToLiveDescription.AttributeName)
	}
	if have == want {
		return nil
	}
	if have != "" {
		if _, err := t.dynamodb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(false), AttributeName: aws.String(have)}}); err != nil {
			return fmt.Errorf("table %s TTL: %w", name, err)
		}
	}
	if want != "" {
		if _, err := t.dynamodb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String(want)}}); err != nil {
			return fmt.Errorf("table %s TTL: %w", name, err)
		}
	}
	return nil
}
