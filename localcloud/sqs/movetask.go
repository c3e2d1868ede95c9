package sqs

import "context"

// moveTask is a StartMessageMoveTask: the local cloud moves every message
// at once, so a task is complete when StartMessageMoveTask answers.
type moveTask struct {
	TaskHandle                        string
	Status                            string
	SourceArn                         string
	DestinationArn                    string   `json:",omitempty"`
	MaxNumberOfMessagesPerSecond      *flexInt `json:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove int64
	StartedTimestamp                  int64
}

type startMoveInput struct {
	SourceArn                    string
	DestinationArn               string
	MaxNumberOfMessagesPerSecond *flexInt
}

// startMessageMoveTask moves the messages of a dead-letter queue back to
// the queues they came from, or to DestinationArn
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).
func (s *Service) startMessageMoveTask(_ context.Context, in *startMoveInput) (*struct{ TaskHandle string }, error) {
	if in.SourceArn == "" {
		return nil, errMissing("SourceArn")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.byArn(in.SourceArn)
	if !ok {
		return nil, newError("ResourceNotFoundException", "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist: %s", in.SourceArn)
	}
	isDLQ := false
	for _, q := range s.queues {
		if arn, _, err := parseRedrive(q.Attributes["RedrivePolicy"]); err == nil && arn == in.SourceArn {
			isDLQ = true
		}
	}
	if !isDLQ {
		return nil, errInvalid("Source queue must be configured as a Dead Letter Queue: no queue's RedrivePolicy names %s.", in.SourceArn)
	}
	var dst *queue
	if in.DestinationArn != "" {
		if dst, ok = s.byArn(in.DestinationArn); !ok {
			return nil, newError("ResourceNotFoundException", "ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist: %s", in.DestinationArn)
		}
	}
	t := &moveTask{TaskHandle: newUUID(), Status: "COMPLETED", SourceArn: in.SourceArn, DestinationArn: in.DestinationArn,
		MaxNumberOfMessagesPerSecond: in.MaxNumberOfMessagesPerSecond, StartedTimestamp: millis(s.opts.Clock.Now()),
		ApproximateNumberOfMessagesToMove: int64(len(src.msgs))}
	for _, m := range append([]*message{}, src.msgs...) {
		to := dst
		if to == nil {
			if to, ok = s.byArn(m.SourceArn); !ok {
				continue // its source queue is gone; the message stays
			}
		}
		c := *m
		c.Key, c.Handle, c.SourceArn, c.ReceiveCount, c.FirstReceive, c.VisibleAt = "", "", "", 0, 0, millis(s.opts.Clock.Now())
		if err := to.add(&c); err != nil {
			return nil, err
		}
		if err := src.remove(m); err != nil {
			return nil, err
		}
		t.ApproximateNumberOfMessagesMoved++
	}
	if t.ApproximateNumberOfMessagesMoved < t.ApproximateNumberOfMessagesToMove {
		t.Status = "FAILED"
	}
	s.tasks = append(s.tasks, t)
	return &struct{ TaskHandle string }{t.TaskHandle}, nil
}

type listMoveInput struct {
	SourceArn  string
	MaxResults *flexInt
}

func (s *Service) listMessageMoveTasks(_ context.Context, in *listMoveInput) (*struct{ Results []moveTask }, error) {
	if in.SourceArn == "" {
		return nil, errMissing("SourceArn")
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, errInvalid("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byArn(in.SourceArn); !ok {
		return nil, newError("ResourceNotFoundException", "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist: %s", in.SourceArn)
	}
	out := &struct{ Results []moveTask }{Results: []moveTask{}}
	for i := len(s.tasks) - 1; i >= 0 && len(out.Results) < limit; i-- {
		if s.tasks[i].SourceArn == in.SourceArn {
			out.Results = append(out.Results, *s.tasks[i])
		}
	}
	return out, nil
}

func (s *Service) cancelMessageMoveTask(_ context.Context, in *struct{ TaskHandle string }) (*struct{}, error) {
	return nil, errInvalid("Task %s is not running: the local cloud completes a message move task when it starts.", in.TaskHandle)
}
