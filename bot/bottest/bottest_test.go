package bottest_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
)

var ch = bot.ChannelRef{Platform: "fake", Channel: "C1"}

func TestPlatformRecordsAndFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := bottest.New("fake")
	p.FailNext(1, errors.New("boom"))
	if _, err := p.Post(ctx, ch, bot.Message{Key: "k1"}); err == nil || err.Error() != "boom" {
		t.Fatalf("FailNext: %v", err)
	}
	id, err := p.Post(ctx, ch, bot.Message{Key: "k1", Text: "hi"})
	if err != nil || id != "fake-1" {
		t.Fatalf("Post = %q, %v", id, err)
	}
	if got, ok, _ := p.Posted(ctx, ch, "k1"); !ok || got != id {
		t.Errorf("Posted = %q, %v", got, ok)
	}
	if _, ok, _ := p.Posted(ctx, bot.ChannelRef{Platform: "fake", Channel: "C2"}, "k1"); ok {
		t.Errorf("a key counts in another channel")
	}
	p.SetUnavailable(ch, "not_in_channel")
	if _, err := p.Post(ctx, ch, bot.Message{}); !errors.Is(err, bot.ErrChannelUnavailable) || !strings.Contains(err.Error(), "not_in_channel") {
		t.Errorf("unavailable: %v", err)
	}
	if _, ok := p.Unchecked().(bot.PostedChecker); ok {
		t.Errorf("Unchecked still checks")
	}
	if calls, _ := p.Stats(); calls != 3 || len(p.Posts()) != 1 {
		t.Errorf("calls %d posts %d", calls, len(p.Posts()))
	}
}

func TestPlatformRateLimit(t *testing.T) {
	t.Parallel()
	p := bottest.New("fake")
	p.SetRateLimit(10, 2)
	ctx := context.Background()
	ok, limited := 0, 0
	var retry time.Duration
	for i := 0; i < 5; i++ {
		_, err := p.Post(ctx, ch, bot.Message{})
		var rl *bot.RateLimitError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &rl):
			limited++
			retry = rl.RetryAfter
		default:
			t.Fatal(err)
		}
	}
	if ok != 2 || limited != 3 || retry <= 0 || retry > 100*time.Millisecond {
		t.Errorf("ok %d limited %d retry %s; want the burst of 2 through, then 429s of about 100ms", ok, limited, retry)
	}
}

func TestDurablePlatformSurvivesReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "posts.jsonl")
	p, err := bottest.NewDurable("fake", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Post(ctx, ch, bot.Message{Key: "k1", Text: "one"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	again, err := bottest.NewDurable("fake", path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, ok, _ := again.Posted(ctx, ch, "k1"); !ok {
		t.Errorf("a reopened journal forgot the post")
	}
	id, err := again.Post(ctx, ch, bot.Message{Key: "k2"})
	if err != nil || id != "fake-2" {
		t.Errorf("next id %q, %v", id, err)
	}
	posts, err := bottest.ReadJournal(path)
	if err != nil || len(posts) != 2 || posts[0].Text != "one" {
		t.Errorf("journal = %+v, %v", posts, err)
	}
}

func TestArticles(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	a := bottest.Articles(4000, 7, now, 24*time.Hour)
	b := bottest.Articles(4000, 7, now, 24*time.Hour)
	if len(a) != 4000 || a[123].Text != b[123].Text || a[3999].Title != b[3999].Title {
		t.Fatal("not deterministic")
	}
	g20 := 0
	for _, x := range a {
		if x.Fetched.After(now) || x.Fetched.Before(now.Add(-24*time.Hour)) {
			t.Fatalf("fetched %s outside the span", x.Fetched)
		}
		if strings.Contains(x.Text, "g20") {
			g20++
		}
	}
	if g20 < 8 || g20 > 40 {
		t.Errorf("g20 in %d of 4000 articles, want about 0.5%%", g20)
	}
}
