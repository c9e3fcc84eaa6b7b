package kronortest

// LiveChange returns what s.Live() returns and a channel closed when it next
// changes.
func LiveChange(s *Server) (Live, <-chan struct{}) { return s.live.get(true) }

// PushCounts returns the subscription results s has sent, those it has not
// sent because they were unchanged since the last it sent, and a channel
// closed when either next changes.
func PushCounts(s *Server) (sent, unchanged int64, changed <-chan struct{}) { return s.pushes.counts() }
