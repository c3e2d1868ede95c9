package dynamodb

import (
	"encoding/json"
	"fmt"
	"time"
)

// Shapes of the table API, as the service model names them
// (botocore data/dynamodb/2012-08-10/service-2.json).
type (
	attributeDefinition struct {
		AttributeName string `json:"AttributeName"`
		AttributeType string `json:"AttributeType"`
	}
	keySchemaElement struct {
		AttributeName string `json:"AttributeName"`
		KeyType       string `json:"KeyType"`
	}
	projection struct {
		ProjectionType   string   `json:"ProjectionType,omitempty"`
		NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
	}
	throughput struct {
		ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
		WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
	}
	throughputDescription struct {
		NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
		ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
		WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
	}
	indexSpec struct {
		IndexName             string             `json:"IndexName"`
		KeySchema             []keySchemaElement `json:"KeySchema"`
		Projection            projection         `json:"Projection"`
		ProvisionedThroughput *throughput        `json:"ProvisionedThroughput,omitempty"`
	}
	indexDescription struct {
		IndexName             string                 `json:"IndexName"`
		KeySchema             []keySchemaElement     `json:"KeySchema"`
		Projection            projection             `json:"Projection"`
		IndexStatus           string                 `json:"IndexStatus,omitempty"`
		IndexArn              string                 `json:"IndexArn"`
		IndexSizeBytes        int64                  `json:"IndexSizeBytes"`
		ItemCount             int64                  `json:"ItemCount"`
		ProvisionedThroughput *throughputDescription `json:"ProvisionedThroughput,omitempty"`
	}
	streamSpecification struct {
		StreamEnabled  bool   `json:"StreamEnabled"`
		StreamViewType string `json:"StreamViewType,omitempty"`
	}
	sseSpecification struct {
		Enabled        *bool  `json:"Enabled,omitempty"`
		SSEType        string `json:"SSEType,omitempty"`
		KMSMasterKeyId string `json:"KMSMasterKeyId,omitempty"`
	}
	sseDescription struct {
		Status          string `json:"Status"`
		SSEType         string `json:"SSEType"`
		KMSMasterKeyArn string `json:"KMSMasterKeyArn,omitempty"`
	}
	billingModeSummary struct {
		BillingMode                       string  `json:"BillingMode"`
		LastUpdateToPayPerRequestDateTime float64 `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
	}
	tag struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	ttlDescription struct {
		TimeToLiveStatus string `json:"TimeToLiveStatus"`
		AttributeName    string `json:"AttributeName,omitempty"`
	}
)

// tableMeta is what a table is, as created and updated; it is stored
// beside the table's items.
type tableMeta struct {
	Name                   string                `json:"name"`
	ID                     string                `json:"id"`
	Created                time.Time             `json:"created"`
	AttributeDefinitions   []attributeDefinition `json:"attributeDefinitions"`
	KeySchema              []keySchemaElement    `json:"keySchema"`
	GlobalSecondaryIndexes []indexSpec           `json:"globalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes  []indexSpec           `json:"localSecondaryIndexes,omitempty"`
	BillingMode            string                `json:"billingMode"`
	Throughput             *throughput           `json:"throughput,omitempty"`
	Stream                 *streamSpecification  `json:"stream,omitempty"`
	StreamLabel            string                `json:"streamLabel,omitempty"`
	SSE                    *sseSpecification     `json:"sse,omitempty"`
	TableClass             string                `json:"tableClass,omitempty"`
	DeletionProtection     bool                  `json:"deletionProtection,omitempty"`
	TTLAttribute           string                `json:"ttlAttribute,omitempty"`
	PITR                   bool                  `json:"pitr,omitempty"`
	Tags                   []tag                 `json:"tags,omitempty"`
}

// tableDescription is the TableDescription shape.
type tableDescription struct {
	TableName                 string                `json:"TableName"`
	TableArn                  string                `json:"TableArn"`
	TableId                   string                `json:"TableId"`
	TableStatus               string                `json:"TableStatus"`
	CreationDateTime          json.Number           `json:"CreationDateTime"`
	AttributeDefinitions      []attributeDefinition `json:"AttributeDefinitions"`
	KeySchema                 []keySchemaElement    `json:"KeySchema"`
	ItemCount                 int64                 `json:"ItemCount"`
	TableSizeBytes            int64                 `json:"TableSizeBytes"`
	ProvisionedThroughput     throughputDescription `json:"ProvisionedThroughput"`
	BillingModeSummary        *billingModeSummary   `json:"BillingModeSummary,omitempty"`
	GlobalSecondaryIndexes    []indexDescription    `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes     []indexDescription    `json:"LocalSecondaryIndexes,omitempty"`
	StreamSpecification       *streamSpecification  `json:"StreamSpecification,omitempty"`
	LatestStreamArn           string                `json:"LatestStreamArn,omitempty"`
	LatestStreamLabel         string                `json:"LatestStreamLabel,omitempty"`
	SSEDescription            *sseDescription       `json:"SSEDescription,omitempty"`
	TableClassSummary         map[string]string     `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
	WarmThroughput            map[string]any        `json:"WarmThroughput,omitempty"`
}

func epochSeconds(t time.Time) json.Number {
	return json.Number(fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000))
}

// attrType returns the declared type of an attribute.
func (m *tableMeta) attrType(name string) string {
	for _, d := range m.AttributeDefinitions {
		if d.AttributeName == name {
			return d.AttributeType
		}
	}
	return ""
}

// keyNames returns the hash and range attribute names of a key schema.
func keyNames(ks []keySchemaElement) (hash, rng string) {
	for _, k := range ks {
		if k.KeyType == "HASH" {
			hash = k.AttributeName
		} else {
			rng = k.AttributeName
		}
	}
	return hash, rng
}
