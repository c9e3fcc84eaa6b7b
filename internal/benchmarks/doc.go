// Package benchmarks holds the bodies of the SDK's performance measurements,
// so that the benchmarks of each package (go test -bench) and the report
// command (cmd/kronor-bench) measure the same way and never drift apart.
//
// Each measurement is an exported function that takes its sizes as
// parameters and returns a result struct, and runs its baseline in the same
// run, so that a figure is always read beside what it is compared with:
//
//   - [MeasureOverhead]: one small query through the client against
//     hand-written net/http + encoding/json, interleaved; time and
//     allocation ratios.
//   - [MeasureCheckout] and [StoredPaymentHeap]: whole checkout flows on the
//     fake gateway, their round trips per second beside bare loopback round
//     trips (the share of the physical limit they use), interleaved; and
//     the heap kept per stored payment.
//   - [WatchLatency] and [PollLatency]: from the fake's status change to
//     subscriptions.Watcher.Wait returning, beside a loop polling over HTTP.
//   - [ObjectWatchLatency]: from the fake settling a capture or a refund to
//     subscriptions.MerchantWatcher.WaitCapture or WaitRefund returning,
//     beside the payment wait's [WatchLatency].
//   - [MixedWaits]: thousands of concurrent waits of every kind (payment
//     requests, captures, releases, refunds) on one merchant watcher, beside
//     [ConcurrentWaits]' payment waits.
//   - [ConcurrentWaits]: thousands of concurrent waits on one watcher,
//     against a fake gateway in a child process ([StartRemoteGateway]), so the
//     heap measured is the watcher's alone; [IdleGoroutines] is its memory
//     baseline, and the fake's own time applying the approvals its time
//     baseline.
//   - [BinarySizes]: the binary of a small checkout program with the SDK
//     beside the same program on net/http (testdata/binsize).
//
// The measurements use only the SDK's public API, the fake gateway's
// (kronortest) and the generated operations; they are not timed tests and
// assert nothing about the figures they return.
package benchmarks
