package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// usage is a snapshot of the process's resource counters. On a shared
// machine they vary much less between runs than wall-clock time: CPU time
// and the bytes and calls of read and write system calls (Linux only;
// zero elsewhere), which for SQLite are page reads and WAL and checkpoint
// writes.
type usage struct {
	user, sys    time.Duration
	rchar, wchar int64 // bytes read and written by system calls
	syscr, syscw int64 // read and write system calls
}

func takeUsage() usage {
	var u usage
	u.user, u.sys = cpuUsage()
	raw, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return u
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "rchar":
			u.rchar = n
		case "wchar":
			u.wchar = n
		case "syscr":
			u.syscr = n
		case "syscw":
			u.syscw = n
		}
	}
	return u
}

// sub returns the counters accumulated between before and u.
func (u usage) sub(before usage) usage {
	return usage{
		user: u.user - before.user, sys: u.sys - before.sys,
		rchar: u.rchar - before.rchar, wchar: u.wchar - before.wchar,
		syscr: u.syscr - before.syscr, syscw: u.syscw - before.syscw,
	}
}
