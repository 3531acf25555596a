package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/newsbot/newsbot/briefing"
)

// LocalSnapshot is one read of a local source.
type LocalSnapshot struct {
	// Articles are the articles read, with GUIDs that include the file's
	// absolute path, so that two folders holding a file of the same name
	// do not collide and an edited file keeps its identity.
	Articles []briefing.Article
	// Version identifies the files' names, sizes and modification times;
	// store it (in State.ETag) and pass it back to skip unchanged reads.
	Version string
	// Problems lists files or lines that were skipped, and why.
	Problems []error
}

// ReadLocal reads a local source (src.Path: a folder or a single .txt,
// .md or .jsonl file) if it changed since version, the Version of an
// earlier snapshot. Changes are found by polling names, sizes and
// modification times, which works on every platform and file system
// (network mounts included), at the cost of one stat per file per poll.
// It returns ErrNotModified when nothing changed, and an error if the path
// cannot be read at all; unreadable files are reported in Problems.
func ReadLocal(ctx context.Context, src Source, version string) (LocalSnapshot, error) {
	if src.Path == "" {
		return LocalSnapshot{}, fmt.Errorf("read %q: not a local source", src.Name)
	}
	abs, err := filepath.Abs(src.Path)
	if err != nil {
		return LocalSnapshot{}, fmt.Errorf("read %s: %w", src.Path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return LocalSnapshot{}, fmt.Errorf("read %s: %w", src.Path, err)
	}
	dir, root := abs, "."
	if !st.IsDir() {
		dir, root = filepath.Dir(abs), filepath.Base(abs)
	}
	fsys := os.DirFS(dir)
	v, err := localVersion(ctx, fsys, root)
	if err != nil {
		return LocalSnapshot{}, fmt.Errorf("read %s: %w", src.Path, err)
	}
	if v == version {
		return LocalSnapshot{Version: v}, ErrNotModified
	}
	name := src.Name
	if name == "" {
		name = filepath.Base(abs)
	}
	arts, problems, err := ReadArticles(fsys, root, name)
	if err != nil {
		return LocalSnapshot{}, fmt.Errorf("read %s: %w", src.Path, err)
	}
	for i := range arts {
		a := &arts[i]
		switch {
		case strings.HasPrefix(a.GUID, "file:"):
			a.GUID = "file:" + filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(a.GUID, "file:")))
		case a.GUID == "" && a.URL == "" && a.ID != "":
			// A .jsonl line with only an id: identify it by file and id,
			// so that corrected text does not make it new.
			a.GUID = "file:" + abs + "#" + a.ID
		}
	}
	return LocalSnapshot{Articles: arts, Version: v, Problems: problems}, nil
}

// localVersion hashes the names, sizes and modification times of the
// article files under root.
func localVersion(ctx context.Context, fsys fs.FS, root string) (string, error) {
	type entry struct {
		name  string
		size  int64
		mtime int64
	}
	var files []entry
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !isArticleFile(p) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // vanished meanwhile: the next poll sees it
		}
		files = append(files, entry{p, info.Size(), info.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	h := sha256.New()
	var buf [16]byte
	for _, f := range files {
		h.Write([]byte(f.name))
		binary.LittleEndian.PutUint64(buf[:8], uint64(f.size))
		binary.LittleEndian.PutUint64(buf[8:], uint64(f.mtime))
		h.Write(buf[:])
	}
	return "local:" + hex.EncodeToString(h.Sum(nil)[:12]), nil
}

func isArticleFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".txt", ".md", ".jsonl":
		return true
	}
	return false
}
