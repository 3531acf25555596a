package briefing

import (
	"strings"
	"sync"
)

// maxCachedStems bounds a stemCache; when full it starts afresh.
const maxCachedStems = 1 << 18

// stemCache remembers the stems of words across calls: stemming dominates
// the cost of matching and grouping, and the words of the news repeat from
// one briefing to the next. It is safe for concurrent use; a nil cache
// stems every time.
type stemCache struct {
	mu sync.RWMutex
	m  map[string]string
}

func newStemCache() *stemCache { return &stemCache{m: make(map[string]string, 1024)} }

// stem returns Stem(w) for a lowercase word.
func (c *stemCache) stem(w string) string {
	if c == nil {
		return Stem(w)
	}
	c.mu.RLock()
	st, ok := c.m[w]
	c.mu.RUnlock()
	if ok {
		return st
	}
	st = Stem(w)
	c.mu.Lock()
	if len(c.m) >= maxCachedStems {
		clear(c.m)
	}
	c.m[strings.Clone(w)] = st
	c.mu.Unlock()
	return st
}

// stemBytes is stem for a word held in a byte slice; it allocates only
// when the word is new to the cache.
func (c *stemCache) stemBytes(w []byte) string {
	if c != nil {
		c.mu.RLock()
		st, ok := c.m[string(w)]
		c.mu.RUnlock()
		if ok {
			return st
		}
	}
	return c.stem(string(w))
}
