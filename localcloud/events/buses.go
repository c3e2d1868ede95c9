package events

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/localcloud/awsproto"
	"github.com/bedrockbatch/bedrockbatch/localcloud/internal/spool"
)

// Custom event buses: created with CreateEventBus, each has its own rules;
// PutEvents with an EventBusName reaches only the rules of that bus
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html).
// Rule names stay unique across buses in the local cloud.

var busName = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

func (s *Service) busesPath() string { return filepath.Join(s.dir, "buses.json") }

// loadBuses reads the custom buses; the caller holds s.mu or is New.
func (s *Service) loadBuses() error {
	s.buses = map[string]bool{}
	b, err := os.ReadFile(s.busesPath())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read EventBridge buses: %w", err)
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return fmt.Errorf("read EventBridge buses from %s: %w", s.busesPath(), err)
	}
	for _, n := range names {
		s.buses[n] = true
	}
	return nil
}

func (s *Service) saveBuses() error {
	names := make([]string, 0, len(s.buses))
	for n := range s.buses {
		names = append(names, n)
	}
	sort.Strings(names)
	b, _ := json.Marshal(names)
	return spool.WriteFileAtomic(s.busesPath(), b)
}

// busArn is the ARN of bus name ("" or "default": the default bus).
func (s *Service) busArn(name string) string {
	if name == "" || name == "default" {
		return s.BusArn()
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", s.opts.Region, s.opts.Account, name)
}

// busOf names the bus a request's EventBusName (a name or an ARN) means:
// "" for the default bus.
func busOf(nameOrArn string) string {
	n := nameOrArn
	if strings.HasPrefix(n, "arn:") {
		_, n, _ = strings.Cut(n, ":event-bus/")
	}
	if n == "default" {
		return ""
	}
	return n
}

// checkBus accepts the default bus and the custom buses, by name or ARN
// (or no bus at all).
func (s *Service) checkBus(name string) error {
	bus := busOf(name)
	if bus == "" && (name == "" || name == "default" || name == s.BusArn()) {
		return nil
	}
	s.busMu.RLock()
	defer s.busMu.RUnlock()
	if s.buses[bus] && (!strings.HasPrefix(name, "arn:") || name == s.busArn(bus)) {
		return nil
	}
	return notFound("Event bus %s does not exist. Create it with CreateEventBus (the default bus always exists).", name)
}

type createBusInput struct {
	Name string
}

func (s *Service) createEventBus(_ context.Context, in *createBusInput) (*struct{ EventBusArn string }, error) {
	if !busName.MatchString(in.Name) || in.Name == "default" || strings.HasPrefix(in.Name, "aws.") {
		return nil, validation("Event bus name %q is not valid: 1 to 256 characters of letters, digits, . - _ and /, not \"default\" nor starting with aws.", in.Name)
	}
	s.busMu.Lock()
	defer s.busMu.Unlock()
	if s.buses[in.Name] {
		return nil, awsproto.Errorf(http.StatusBadRequest, "ResourceAlreadyExistsException", "Event bus %s already exists.", in.Name)
	}
	s.buses[in.Name] = true
	if err := s.saveBuses(); err != nil {
		delete(s.buses, in.Name)
		return nil, fmt.Errorf("save the event buses: %w", err)
	}
	return &struct{ EventBusArn string }{s.busArn(in.Name)}, nil
}

func (s *Service) deleteEventBus(_ context.Context, in *busRef) (*struct{}, error) {
	if busOf(in.Name) == "" {
		return nil, validation("Cannot delete event bus default.")
	}
	s.mu.RLock()
	for _, r := range s.rules {
		if r.Bus == in.Name {
			s.mu.RUnlock()
			return nil, validation("Cannot delete event bus %s while it has rules (%s); delete them first.", in.Name, r.Name)
		}
	}
	s.mu.RUnlock()
	s.busMu.Lock()
	defer s.busMu.Unlock()
	delete(s.buses, in.Name)
	return &struct{}{}, s.saveBuses()
}

// customBuses lists the custom buses whose names start with prefix.
func (s *Service) customBuses(prefix string) []busOutput {
	s.busMu.RLock()
	defer s.busMu.RUnlock()
	var out []busOutput
	for n := range s.buses {
		if strings.HasPrefix(n, prefix) {
			out = append(out, busOutput{Name: n, Arn: s.busArn(n)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// busLabel is how answers name a bus: "default" for the default one.
func busLabel(bus string) string {
	if bus == "" {
		return "default"
	}
	return bus
}
