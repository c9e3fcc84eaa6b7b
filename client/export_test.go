package client

import (
	"context"
	"time"
)

// SetSleep replaces the wait between attempts, so tests can record the
// waits the client chose without sleeping.
func SetSleep(c *Client, f func(ctx context.Context, d time.Duration) error) { c.cfg.sleep = f }
