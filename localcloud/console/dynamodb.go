package console

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// tableView is a DynamoDB table in the console's list.
type tableView struct {
	Name    string   `json:"name"`
	Items   int64    `json:"items"`
	Bytes   int64    `json:"bytes"`
	Keys    []string `json:"keys"`
	Indexes []string `json:"indexes"`
	TTL     string   `json:"ttl,omitempty"`
}

// tables lists the DynamoDB tables with their item counts, through the
// DynamoDB API.
func (h *handler) tables(r *http.Request) (any, error) {
	db := awsdynamodb.NewFromConfig(h.opts.AWS)
	out := []tableView{}
	pg := awsdynamodb.NewListTablesPaginator(db, &awsdynamodb.ListTablesInput{})
	for pg.HasMorePages() {
		page, err := pg.NextPage(r.Context())
		if err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		for _, name := range page.TableNames {
			d, err := db.DescribeTable(r.Context(), &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
			if err != nil {
				return nil, fmt.Errorf("describe table %s: %w", name, err)
			}
			v := tableView{Name: name, Items: aws.ToInt64(d.Table.ItemCount), Bytes: aws.ToInt64(d.Table.TableSizeBytes), Keys: []string{}, Indexes: []string{}}
			for _, k := range d.Table.KeySchema {
				v.Keys = append(v.Keys, aws.ToString(k.AttributeName))
			}
			for _, g := range d.Table.GlobalSecondaryIndexes {
				v.Indexes = append(v.Indexes, aws.ToString(g.IndexName))
			}
			for _, l := range d.Table.LocalSecondaryIndexes {
				v.Indexes = append(v.Indexes, aws.ToString(l.IndexName))
			}
			if ttl, err := db.DescribeTimeToLive(r.Context(), &awsdynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)}); err == nil && ttl.TimeToLiveDescription.AttributeName != nil {
				v.TTL = aws.ToString(ttl.TimeToLiveDescription.AttributeName)
			}
			out = append(out, v)
		}
	}
	return map[string]any{"tables": out}, nil
}

// maxItemsShown bounds the items the console shows of a table.
const maxItemsShown = 100

// items shows the first items of a table (?table=), scanned through the
// DynamoDB API, with the attribute names as columns, key attributes first.
func (h *handler) items(r *http.Request) (any, error) {
	name := r.URL.Query().Get("table")
	if name == "" {
		return nil, badRequest("give the table as ?table=")
	}
	db := awsdynamodb.NewFromConfig(h.opts.AWS)
	d, err := db.DescribeTable(r.Context(), &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", name, err)
	}
	res, err := db.Scan(r.Context(), &awsdynamodb.ScanInput{TableName: aws.String(name), Limit: aws.Int32(maxItemsShown)})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", name, err)
	}
	var keys []string
	for _, k := range d.Table.KeySchema {
		keys = append(keys, aws.ToString(k.AttributeName))
	}
	others := map[string]bool{}
	items := []map[string]any{}
	for _, it := range res.Items {
		var m map[string]any
		if err := attributevalue.UnmarshalMap(it, &m); err != nil {
			return nil, fmt.Errorf("item of %s: %w", name, err)
		}
		for k := range m {
			others[k] = true
		}
		items = append(items, m)
	}
	columns := append([]string{}, keys...)
	var rest []string
	for k := range others {
		if k != keys[0] && (len(keys) < 2 || k != keys[1]) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return map[string]any{
		"table": name, "count": aws.ToInt64(d.Table.ItemCount), "columns": append(columns, rest...),
		"items": items, "more": res.LastEvaluatedKey != nil,
	}, nil
}
