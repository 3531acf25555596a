//go:build !unix

package main

import "time"

// cpuUsage is not measured on this platform.
func cpuUsage() (user, sys time.Duration) { return 0, 0 }
