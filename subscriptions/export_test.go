package subscriptions

// WithRecycleAfter lowers the number of stopped subscriptions after which a
// connection is replaced, for tests.
func WithRecycleAfter(n int) Option {
	return func(s *settings) { s.recycleAfter = n }
}
