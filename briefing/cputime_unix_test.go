//go:build unix

package briefing

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used. Benchmarks report it
// next to wall time, because wall time on a shared machine measures the
// neighbours as much as the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
