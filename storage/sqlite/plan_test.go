package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

// TestSearchPlan checks that a search walks the index newest first and
// stops at the limit, instead of collecting every match and sorting it:
// the plan must not need a temporary b-tree for the ORDER BY.
func TestSearchPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	q, err := briefing.ParseQuery(`economy "climate summit" -sport`)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []bot.SearchOptions{{}, {Since: time.Now()}, {Sources: []string{"AP", "BBC"}, Since: time.Now()}} {
		query, args := searchSQL(q, opts)
		rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		t.Logf("plan for %+v: %s", opts, p)
		if strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("search plan sorts every match: %s", p)
		}
		if !strings.HasPrefix(plan[0], "SCAN f VIRTUAL TABLE") {
			t.Errorf("search plan does not start from the index: %s", p)
		}
	}
}

// TestArticleByURLPlan checks that a URL lookup starts from the URL index
// and takes the newest candidate without sorting.
func TestArticleByURLPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+articleByURLSQL, urlMatch("https://example.com/a"), "https://example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	p := strings.Join(plan, "; ")
	t.Logf("plan: %s", p)
	if strings.Contains(p, "TEMP B-TREE") || !strings.HasPrefix(plan[0], "SCAN u VIRTUAL TABLE") {
		t.Errorf("URL lookup plan = %s, want a scan of the URL index without a sort", p)
	}
}
