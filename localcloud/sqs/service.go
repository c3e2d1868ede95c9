package sqs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bedrockbatch/bedrockbatch/clock"
	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
)

// Options configures a Service.
type Options struct {
	// DataDir holds <DataDir>/sqs: a directory per queue with its
	// definition and one file per message. Required.
	DataDir string
	// Region and Account make up queue ARNs and URLs. Defaults
	// awsproto.DefaultRegion and DefaultAccount.
	Region, Account string
	// Clock stamps messages and times visibility timeouts. Default the
	// wall clock.
	Clock clock.Clock
	// Logger receives messages moved to dead-letter queues. Default
	// slog.Default().
	Logger *slog.Logger
}

// Service is the local SQS. Create it with New and serve it through the
// edge router.
type Service struct {
	opts Options
	dir  string

	mu     sync.Mutex
	queues map[string]*queue // by name
	tasks  []*moveTask

	stop       chan struct{} // closed by StopPolls
	stopOnce   sync.Once
	publicHost awsproto.PublicHost // see SetPublicHost
}

// StopPolls ends the long polls in progress and makes later ones return
// at once, empty, so a server shutting down does not wait for them.
func (s *Service) StopPolls() { s.stopOnce.Do(func() { close(s.stop) }) }

// New opens the queues kept in opts.DataDir.
func New(opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("sqs: Options.DataDir is required")
	}
	opts.Region = cmp.Or(opts.Region, awsproto.DefaultRegion)
	opts.Account = cmp.Or(opts.Account, awsproto.DefaultAccount)
	opts.Clock = cmp.Or[clock.Clock](opts.Clock, clock.Real{})
	opts.Logger = cmp.Or(opts.Logger, slog.Default())
	s := &Service{opts: opts, dir: filepath.Join(opts.DataDir, "sqs"), queues: map[string]*queue{}, stop: make(chan struct{})}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqs: %w", err)
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("sqs: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		q, err := openQueue(filepath.Join(s.dir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue // a queue deleted half-way
		}
		if err != nil {
			return nil, fmt.Errorf("sqs: %w", err)
		}
		s.queues[q.Name] = q
	}
	return s, nil
}

// Arn is the ARN of the queue name.
func (s *Service) Arn(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.opts.Region, s.opts.Account, name)
}

func (s *Service) url(ctx context.Context, name string) string {
	host := s.publicHost.For(ctx)
	return "http://" + host + "/" + s.opts.Account + "/" + name
}

// SetPublicHost sets the host:port the cloud is served on, for the queue
// URLs answered to in-process clients (which reach the service without an
// address of their own).
func (s *Service) SetPublicHost(host string) { s.publicHost.Set(host) }

// NameFromURL returns the queue name of a queue URL (any host; the path is
// /<account>/<name>), or of an ARN.
func NameFromURL(u string) string {
	if strings.HasPrefix(u, "arn:") {
		return u[strings.LastIndex(u, ":")+1:]
	}
	u = strings.TrimRight(u, "/")
	return u[strings.LastIndex(u, "/")+1:]
}

// byURL finds the queue a QueueUrl names; the caller holds s.mu.
func (s *Service) byURL(u string) (*queue, error) {
	if u == "" {
		return nil, errMissing("QueueUrl")
	}
	q, ok := s.queues[NameFromURL(u)]
	if !ok {
		return nil, errNoQueue("queue URL " + u)
	}
	return q, nil
}

// byArn finds a queue by ARN; the caller holds s.mu.
func (s *Service) byArn(arn string) (*queue, bool) {
	q, ok := s.queues[NameFromURL(arn)]
	if !ok || s.Arn(q.Name) != arn {
		return nil, false
	}
	return q, true
}

// ServeHTTP serves both protocols: an X-Amz-Target header means AWS JSON
// 1.0, a form with Action the query protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = awsproto.StampRequestID(w, r)
	r = r.WithContext(awsproto.WithRequestHost(r.Context(), r.Host))
	if r.Header.Get("X-Amz-Target") != "" {
		s.serveJSON(w, r)
		return
	}
	s.serveQuery(w, r)
}
