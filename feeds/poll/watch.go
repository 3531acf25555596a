package poll

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchSettle is how long a local folder must be quiet after a change
// before it is read: an editor or a copy writes a file in several steps.
const watchSettle = 500 * time.Millisecond

// watcher tells Run which local sources changed on disk (inotify and its
// kin, through fsnotify), so that a new article file is read within a
// second instead of at the source's next LocalInterval. Polling stays
// as the fallback: without a watcher (the OS refused one, or the folder
// is on a file system that sends no events) folders are still checked
// every LocalInterval.
type watcher struct {
	w    *fsnotify.Watcher
	log  *slog.Logger
	wake func() // asks Run for another pass

	mu      sync.Mutex
	roots   map[string]string // locator -> absolute path (folder or file)
	watched map[string]bool   // directories added to w
	changed map[string]bool   // locators changed since Run last looked
	timer   *time.Timer       // pending wake, while changes settle
}

// newWatcher starts a watcher, or returns nil (and logs why) when the OS
// gives none.
func newWatcher(log *slog.Logger, wake func()) *watcher {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		log.Warn("poll: cannot watch local folders; checking them every local interval instead", slog.String("error", err.Error()))
		return nil
	}
	w := &watcher{w: fw, log: log, wake: wake, roots: map[string]string{}, watched: map[string]bool{}, changed: map[string]bool{}}
	go w.loop()
	return w
}

// close stops the watcher.
func (w *watcher) close() {
	if w == nil {
		return
	}
	w.w.Close()
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
}

// sync watches the local sources among gs that are not watched yet and
// forgets the ones no longer listed.
func (w *watcher) sync(gs []*group) {
	if w == nil {
		return
	}
	keep := map[string]bool{}
	for _, g := range gs {
		if g.src.Path == "" {
			continue
		}
		loc := g.src.Locator()
		keep[loc] = true
		w.mu.Lock()
		_, known := w.roots[loc]
		w.mu.Unlock()
		if known {
			continue
		}
		abs, err := filepath.Abs(g.src.Path)
		if err != nil {
			continue
		}
		w.mu.Lock()
		w.roots[loc] = abs
		w.mu.Unlock()
		w.add(abs)
	}
	w.mu.Lock()
	for loc := range w.roots {
		if !keep[loc] {
			delete(w.roots, loc)
			delete(w.changed, loc)
		}
	}
	w.mu.Unlock()
}

// add watches path: a folder and its subfolders (hidden ones are skipped,
// as the reader skips them), or a single file's folder.
func (w *watcher) add(path string) {
	st, err := os.Stat(path)
	if err != nil {
		return // read reports it; a folder made later is seen at the next poll
	}
	if !st.IsDir() {
		w.addDir(filepath.Dir(path))
		return
	}
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		w.addDir(p)
		return nil
	})
}

func (w *watcher) addDir(dir string) {
	w.mu.Lock()
	seen := w.watched[dir]
	w.watched[dir] = true
	w.mu.Unlock()
	if seen {
		return
	}
	if err := w.w.Add(dir); err != nil {
		w.log.Warn("poll: cannot watch a local folder; checking it every local interval instead",
			slog.String("path", dir), slog.String("error", err.Error()))
	}
}

// loop turns file events into changed sources and a wake once they settle.
func (w *watcher) loop() {
	for {
		select {
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() && !strings.HasPrefix(filepath.Base(ev.Name), ".") {
					w.add(ev.Name)
				}
			}
			w.note(ev.Name)
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			w.log.Warn("poll: watching local folders", slog.String("error", err.Error()))
		}
	}
}

// note marks the sources whose folder or file holds path as changed.
func (w *watcher) note(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	hit := false
	for loc, root := range w.roots {
		if path == root || strings.HasPrefix(path, root+string(filepath.Separator)) {
			w.changed[loc] = true
			hit = true
		}
	}
	if !hit {
		return
	}
	if w.timer == nil {
		w.timer = time.AfterFunc(watchSettle, w.wake)
	} else {
		w.timer.Reset(watchSettle)
	}
}

// take reports whether loc changed since the last take, and clears it.
func (w *watcher) take(loc string) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.changed[loc]
	delete(w.changed, loc)
	return c
}
