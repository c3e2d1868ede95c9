package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bedrockbatch/bedrockbatch/clock"
)

// TargetPrefix is the X-Amz-Target prefix of DynamoDB's operations.
const TargetPrefix = "DynamoDB_20120810"

// Options configures a Service.
type Options struct {
	// DataDir holds one directory per table.
	DataDir string
	// Region and Account make the tables' ARNs.
	Region, Account string
	// Clock decides when items expire (TTL). Default the wall clock.
	Clock clock.Clock
	// Logger receives the TTL sweeper's failures. Default slog.Default().
	Logger *slog.Logger
}

// Service is the local DynamoDB.
type Service struct {
	opts Options

	mu     sync.RWMutex
	tables map[string]*table

	stop chan struct{}
	done chan struct{}
}

// table is one table: its definition, items and indexes, guarded by mu.
type table struct {
	mu        sync.RWMutex
	dir       string
	meta      tableMeta
	items     map[string]Item // by primary key
	primary   *index
	secondary map[string]*index
	size      int64
	log       *tableLog
}

// New opens (creating if needed) the tables in opts.DataDir.
func New(opts Options) (*Service, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("dynamodb data directory: %w", err)
	}
	s := &Service{opts: opts, tables: map[string]*table{}}
	entries, err := os.ReadDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(opts.DataDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, metaFile)); err != nil {
			// A table whose creation did not finish.
			os.RemoveAll(dir)
			continue
		}
		t, err := openTable(dir)
		if err != nil {
			return nil, fmt.Errorf("dynamodb table %s: %w", e.Name(), err)
		}
		s.tables[t.meta.Name] = t
	}
	return s, nil
}

func openTable(dir string) (*table, error) {
	m, recs, err := loadTable(dir)
	if err != nil {
		return nil, err
	}
	t := newTable(dir, *m)
	for _, r := range recs {
		if r.Put != nil {
			t.index(r.Put)
		} else if r.Delete != nil {
			if old := t.items[t.keyOf(r.Delete)]; old != nil {
				t.unindex(old)
			}
		}
	}
	items := make([]Item, 0, len(t.items))
	for _, it := range t.items {
		items = append(items, it)
	}
	rewrite := len(recs) > 2*len(items)+1000
	if t.log, err = openLog(dir, items, rewrite); err != nil {
		return nil, err
	}
	if !rewrite {
		t.log.lines = len(recs)
	}
	return t, nil
}

func newTable(dir string, m tableMeta) *table {
	h, r := keyNames(m.KeySchema)
	t := &table{dir: dir, meta: m, items: map[string]Item{}, secondary: map[string]*index{}}
	t.primary = newIndex("", m.KeySchema, projection{ProjectionType: "ALL"}, h, r)
	for _, g := range m.GlobalSecondaryIndexes {
		t.secondary[g.IndexName] = newIndex(g.IndexName, g.KeySchema, g.Projection, h, r)
	}
	for _, l := range m.LocalSecondaryIndexes {
		ix := newIndex(l.IndexName, l.KeySchema, l.Projection, h, r)
		ix.local = true
		t.secondary[l.IndexName] = ix
	}
	return t
}

// keyOf encodes an item's primary key.
func (t *table) keyOf(it Item) string {
	k := keyString(it[t.primary.hash])
	if t.primary.rng != "" {
		k += "\x00" + keyString(it[t.primary.rng])
	}
	return k
}

func (t *table) index(it Item) {
	k := t.keyOf(it)
	if old := t.items[k]; old != nil {
		t.unindex(old)
	}
	t.items[k] = it
	t.size += int64(it.size())
	t.primary.add(it)
	for _, ix := range t.secondary {
		ix.add(it)
	}
}

func (t *table) unindex(it Item) {
	delete(t.items, t.keyOf(it))
	t.size -= int64(it.size())
	t.primary.remove(it)
	for _, ix := range t.secondary {
		ix.remove(it)
	}
}

// put stores an item (replacing the one with its key) durably.
func (t *table) put(it Item) error {
	if err := t.log.append(logRecord{Put: it}); err != nil {
		return internal(err)
	}
	t.index(it)
	return nil
}

// delete removes the item with the key of it, if any.
func (t *table) delete(it Item) error {
	old := t.items[t.keyOf(it)]
	if old == nil {
		return nil
	}
	if err := t.log.append(logRecord{Delete: t.keyItem(old)}); err != nil {
		return internal(err)
	}
	t.unindex(old)
	return nil
}

// keyItem returns the primary key attributes of an item.
func (t *table) keyItem(it Item) Item {
	k := Item{t.primary.hash: it[t.primary.hash]}
	if t.primary.rng != "" {
		k[t.primary.rng] = it[t.primary.rng]
	}
	return k
}

func (s *Service) table(name string) (*table, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tables[name]
	if t == nil {
		return nil, notFound()
	}
	return t, nil
}

// Tables returns the table names, sorted.
func (s *Service) Tables() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Service) arn(table string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.opts.Region, s.opts.Account, table)
}

// operations maps operation names to their implementations.
func (s *Service) operations() map[string]func(context.Context, []byte) (any, error) {
	return map[string]func(context.Context, []byte) (any, error){
		"CreateTable":               op(s.createTable),
		"DescribeTable":             op(s.describeTable),
		"DeleteTable":               op(s.deleteTable),
		"ListTables":                op(s.listTables),
		"UpdateTimeToLive":          op(s.updateTimeToLive),
		"DescribeTimeToLive":        op(s.describeTimeToLive),
		"UpdateContinuousBackups":   op(s.updateContinuousBackups),
		"DescribeContinuousBackups": op(s.describeContinuousBackups),
		"PutItem":                   op(s.putItem),
		"GetItem":                   op(s.getItem),
		"UpdateItem":                op(s.updateItem),
		"DeleteItem":                op(s.deleteItem),
		"Query":                     op(s.query),
		"Scan":                      op(s.scan),
		"BatchWriteItem":            op(s.batchWriteItem),
		"BatchGetItem":              op(s.batchGetItem),
	}
}

// op adapts a typed operation: the body decodes into a new In, with
// DynamoDB's errors for bodies that do not fit.
func op[In, Out any](fn func(ctx context.Context, in *In) (Out, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(body) == 0 {
			// DynamoDB answers a request without a body with a bare
			// SerializationException.
			return nil, &Error{Status: http.StatusBadRequest, Type: coralService + "SerializationException"}
		}
		if e := checkShape(body, reflect.TypeOf(in).Elem()); e != nil {
			return nil, e
		}
		if err := json.Unmarshal(body, in); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, e
			}
			return nil, serialization("%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return fn(ctx, in)
	}
}

// ServeHTTP serves DynamoDB's JSON 1.0 protocol: a POST whose X-Amz-Target
// is DynamoDB_20120810.<Operation>.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	prefix, name, _ := strings.Cut(target, ".")
	fn := s.operations()[name]
	if prefix != TargetPrefix || fn == nil || r.Method != http.MethodPost {
		(&Error{Status: http.StatusBadRequest, Type: coralService + "UnknownOperationException",
			Message: fmt.Sprintf("X-Amz-Target %q is not an operation of the local DynamoDB; it serves %s.<Operation> for %s",
				target, TargetPrefix, strings.Join(s.operationNames(), ", "))}).write(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		serialization("reading the request body: %v", err).write(w)
		return
	}
	out, err := fn(r.Context(), body)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = internal(err)
		}
		e.write(w)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		internal(err).write(w)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = w.Write(b)
}

func (s *Service) operationNames() []string {
	var names []string
	for n := range s.operations() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close stops the TTL sweeper and closes the tables' logs.
func (s *Service) Close() error {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, t := range s.tables {
		t.mu.Lock()
		errs = append(errs, t.log.close())
		t.mu.Unlock()
	}
	return errors.Join(errs...)
}

// now is the service's clock time.
func (s *Service) now() time.Time { return s.opts.Clock.Now() }
