package sfn

// loadMachines reads the stored state machines. One whose definition no
// longer validates (the interpreter became stricter) is kept, so it can be
// described, updated or deleted, but cannot start executions.
func (s *Service) loadMachines() error {
	if s.dir == nil {
		return nil
	}
	list, err := s.dir.load()
	if err != nil {
		return err
	}
	for _, m := range list {
		if m.Arn != s.machineArn(m.Name) {
			s.log.Warn("sfn: a stored state machine was made for another region or account; its ARN is kept",
				"stateMachineArn", m.Arn, "region", s.region, "account", s.account)
		}
		if err := s.compile(m); err != nil {
			m.broken = err
			s.log.Warn("sfn: a stored state machine no longer validates; executions cannot start until it is updated",
				"stateMachineArn", m.Arn, "error", err)
		}
		s.machines[m.Arn] = m
	}
	return nil
}

// resume restores the stored executions: finished ones can be described,
// running ones continue. The engine registers the task tokens they wait
// for before Resume returns, so task-token calls are answered at once.
func (s *Service) resume() error {
	if !s.durable {
		return nil
	}
	n, err := s.engine.Resume()
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("sfn: resumed running executions", "count", n)
	}
	return nil
}
