//go:build !unix

package sqlite

import "time"

// cpuTime is not measured on this platform; the benchmark's CPU metric
// then reads as infinite.
func cpuTime() time.Duration { return 0 }
