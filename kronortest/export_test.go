package kronortest

// LiveChange returns what s.Live() returns and a channel closed when it next
// changes.
func LiveChange(s *Server) (Live, <-chan struct{}) { return s.live.get(true) }
