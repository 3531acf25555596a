package slack

import (
	"sync"
	"time"
)

// refusalWarnInterval is the least time between two warnings about
// refused (unverified) requests.
const refusalWarnInterval = time.Minute

// refusals decides which refused requests are logged at WARN: the first,
// then at most one per refusalWarnInterval, each saying how many were held
// back since the last (those are logged at DEBUG). A wrong secret shows at
// once, and a flood of forged requests cannot flood the log. It is safe
// for concurrent use.
type refusals struct {
	mu   sync.Mutex
	last time.Time // when the last warning was let through
	held int       // refusals since then not logged at WARN
}

// warn reports whether the refusal seen at now is logged at WARN, and if
// so how many were held back before it.
func (r *refusals) warn(now time.Time) (ok bool, held int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.last.IsZero() && now.Sub(r.last) < refusalWarnInterval {
		r.held++
		return false, 0
	}
	held, r.held, r.last = r.held, 0, now
	return true, held
}
