package handler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/clock"
)

// LedgerDB is the part of the DynamoDB client the job ledger uses;
// *dynamodb.Client implements it, and it is what
// dynamodb.NewQueryPaginator takes.
type LedgerDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Ledger is the job ledger (see batch.LedgerTableEnv): the one place that
// keeps a job's task token, read by job ARN, by execution, or as the set
// of open jobs. Every function of the construct reaches it through a
// Ledger, so its layout lives here and in package batch only.
type Ledger struct {
	db    LedgerDB
	table string
	clock clock.Clock
}

// NewLedger returns the ledger held in table, reached through db.
func NewLedger(db LedgerDB, table string) *Ledger {
	return &Ledger{db: db, table: table, clock: clock.Real{}}
}

// WithClock makes the ledger stamp closings on c; it returns l.
func (l *Ledger) WithClock(c clock.Clock) *Ledger {
	l.clock = c
	return l
}

// Table is the ledger's table name.
func (l *Ledger) Table() string { return l.table }

// LedgerEntry is one job in the ledger. TaskToken is empty in entries read
// from the execution index, which does not carry it.
type LedgerEntry struct {
	JobArn       string
	TaskToken    string
	ExecutionArn string
	Manifest     string
	ModelID      string
	JobName      string
	SubmitTime   time.Time
	TimeoutHours int
	// State is batch.LedgerStateOpen while the job's task waits, then the
	// status the job ended with.
	State string
}

// Open reports whether the job's task may still wait for it.
func (e LedgerEntry) Open() bool { return e.State == batch.LedgerStateOpen }

// Record writes a new open entry for a job just created. It is idempotent:
// a job's ARN comes from its client request token, derived from the task
// token, so a retried create-job call gets the same ARN and finds its entry
// already written (the put's condition fails, which is not an error); an
// entry that was closed meanwhile stays closed.
func (l *Ledger) Record(ctx context.Context, e LedgerEntry) error {
	item := map[string]ddbtypes.AttributeValue{
		batch.LedgerJobArn:       str(e.JobArn),
		batch.LedgerTaskToken:    str(e.TaskToken),
		batch.LedgerSubmitTime:   str(e.SubmitTime.UTC().Format(batch.LedgerSubmitTimeLayout)),
		batch.LedgerTimeoutHours: &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(e.TimeoutHours)},
		batch.LedgerState:        str(batch.LedgerStateOpen),
		batch.LedgerOpen:         str(batch.LedgerStateOpen),
	}
	// DynamoDB refuses empty strings in index keys, and an empty attribute
	// says nothing: leave out what the caller does not know.
	for name, v := range map[string]string{
		batch.LedgerExecutionArn: e.ExecutionArn,
		batch.LedgerManifest:     e.Manifest,
		batch.LedgerModelID:      e.ModelID,
		batch.LedgerJobName:      e.JobName,
	} {
		if v != "" {
			item[name] = str(v)
		}
	}
	_, err := l.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(l.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#k)"),
		ExpressionAttributeNames: map[string]string{"#k": batch.LedgerJobArn},
	})
	var exists *ddbtypes.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record job %s in the ledger %s: %w", e.JobArn, l.table, err)
	}
	return nil
}

// Get reads the entry of jobArn (strongly consistent, so an entry written
// just before is seen); ok is false when the ledger has none: the job was
// not created by this stack.
func (l *Ledger) Get(ctx context.Context, jobArn string) (e LedgerEntry, ok bool, err error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(l.table),
		Key:            map[string]ddbtypes.AttributeValue{batch.LedgerJobArn: str(jobArn)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return LedgerEntry{}, false, fmt.Errorf("read job %s from the ledger %s: %w", jobArn, l.table, err)
	}
	if out.Item == nil {
		return LedgerEntry{}, false, nil
	}
	return entryOf(out.Item), true, nil
}

// Close marks the entry of jobArn closed with the status its job ended
// with: it leaves the open-jobs index and expires batch.LedgerRetention
// later. Closing an entry twice keeps the later status; closing a job the
// ledger does not hold does nothing.
func (l *Ledger) Close(ctx context.Context, jobArn string, status batch.Status) error {
	now := l.clock.Now().UTC()
	_, err := l.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.table),
		Key:                 map[string]ddbtypes.AttributeValue{batch.LedgerJobArn: str(jobArn)},
		ConditionExpression: aws.String("attribute_exists(#k)"),
		UpdateExpression:    aws.String("SET #state = :status, #closed = :now, #exp = :exp REMOVE #open"),
		ExpressionAttributeNames: map[string]string{
			"#k": batch.LedgerJobArn, "#state": batch.LedgerState, "#closed": batch.LedgerClosedAt,
			"#exp": batch.LedgerExpiresAt, "#open": batch.LedgerOpen,
		},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":status": str(string(status)),
			":now":    str(now.Format(batch.LedgerSubmitTimeLayout)),
			":exp":    &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(batch.LedgerRetention).Unix(), 10)},
		},
	})
	var gone *ddbtypes.ConditionalCheckFailedException
	if errors.As(err, &gone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("close job %s in the ledger %s: %w", jobArn, l.table, err)
	}
	return nil
}

// OpenJobs calls fn with every open entry, oldest first, from the sparse
// open-jobs index, whose size is the work in flight whatever the history.
// It returns how many pages it read (each one Query call). It stops at the
// first error of the query; fn's errors are collected and returned after
// every entry was seen.
func (l *Ledger) OpenJobs(ctx context.Context, fn func(LedgerEntry) error) (pages int, err error) {
	return l.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(l.table),
		IndexName:                 aws.String(batch.LedgerOpenIndex),
		KeyConditionExpression:    aws.String("#open = :open"),
		ExpressionAttributeNames:  map[string]string{"#open": batch.LedgerOpen},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":open": str(batch.LedgerStateOpen)},
	}, fn)
}

// ExecutionJobs returns the entries of the jobs executionArn created, in
// submit order, from the execution index (without their task tokens).
func (l *Ledger) ExecutionJobs(ctx context.Context, executionArn string) ([]LedgerEntry, error) {
	var all []LedgerEntry
	_, err := l.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(l.table),
		IndexName:                 aws.String(batch.LedgerExecutionIndex),
		KeyConditionExpression:    aws.String("#ex = :ex"),
		ExpressionAttributeNames:  map[string]string{"#ex": batch.LedgerExecutionArn},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":ex": str(executionArn)},
	}, func(e LedgerEntry) error {
		all = append(all, e)
		return nil
	})
	return all, err
}

func (l *Ledger) query(ctx context.Context, in *dynamodb.QueryInput, fn func(LedgerEntry) error) (int, error) {
	p := dynamodb.NewQueryPaginator(l.db, in)
	var errs []error
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, errors.Join(append(errs, fmt.Errorf("query %s of the ledger %s: %w", aws.ToString(in.IndexName), l.table, err))...)
		}
		n++
		for _, it := range page.Items {
			if err := fn(entryOf(it)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return n, errors.Join(errs...)
}

// entryOf reads an item; attributes it lacks stay zero.
func entryOf(it map[string]ddbtypes.AttributeValue) LedgerEntry {
	s := func(name string) string {
		if v, ok := it[name].(*ddbtypes.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	e := LedgerEntry{
		JobArn: s(batch.LedgerJobArn), TaskToken: s(batch.LedgerTaskToken), ExecutionArn: s(batch.LedgerExecutionArn),
		Manifest: s(batch.LedgerManifest), ModelID: s(batch.LedgerModelID), JobName: s(batch.LedgerJobName),
		State: s(batch.LedgerState),
	}
	if e.State == "" && s(batch.LedgerOpen) != "" {
		e.State = batch.LedgerStateOpen
	}
	e.SubmitTime, _ = time.Parse(batch.LedgerSubmitTimeLayout, s(batch.LedgerSubmitTime))
	if v, ok := it[batch.LedgerTimeoutHours].(*ddbtypes.AttributeValueMemberN); ok {
		e.TimeoutHours, _ = strconv.Atoi(v.Value)
	}
	return e
}

func str(s string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: s} }
