// Package bottest helps test code built on package bot: a fake Platform
// that records what it posts and can fail, refuse or rate-limit on demand,
// a settable clock, and command helpers. It plays the role joetest plays
// for go-joe and httptest for net/http.
package bottest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/newsbot/newsbot/bot"
)

// Post is one message the fake platform accepted.
type Post struct {
	Channel bot.ChannelRef `json:"channel"`
	Key     string         `json:"key"`
	MsgID   string         `json:"msg_id"`
	Text    string         `json:"text"`
	// Stories is how many stories the message's briefing held, and More
	// its "+N more".
	Stories int       `json:"stories"`
	More    int       `json:"more"`
	At      time.Time `json:"at"`
	// Message is the whole message (not kept in the journal).
	Message bot.Message `json:"-"`
}

// Platform is a fake [bot.Platform] and [bot.PostedChecker]. It records
// every accepted post; it can fail the next posts, report channels
// unavailable, answer 429 above a set rate, and keep a journal file so
// that its record survives a killed process. It is safe for concurrent
// use. Function fields must be set before first use.
type Platform struct {
	// BeforePost, if set, runs before a post is accepted; an error it
	// returns is Post's result and nothing is recorded.
	BeforePost func(ctx context.Context, ch bot.ChannelRef, m bot.Message) error
	// AfterPost, if set, runs after a post was recorded (and journaled),
	// before Post returns.
	AfterPost func(ctx context.Context, p Post)
	// Hint is returned by AdminHint.
	Hint string

	name    string
	journal *os.File

	mu          sync.Mutex
	handler     bot.Handler
	posts       []Post
	byKey       map[string]string
	seq         int
	failNext    int
	failErr     error
	unavailable map[bot.ChannelRef]error
	lim         *rate.Limiter
	limited     int
	calls       int
	now         func() time.Time
}

// New returns a fake platform called name.
func New(name string) *Platform {
	return &Platform{name: name, byKey: map[string]string{}, unavailable: map[bot.ChannelRef]error{}, now: time.Now}
}

// NewDurable returns a fake platform whose posts are also appended to the
// journal file at path (created if missing, synced after every post).
// Posts already in the file count as posted: a test can kill the process
// and check in a new one what the platform received.
func NewDurable(name, path string) (*Platform, error) {
	p := New(name)
	posts, err := ReadJournal(path)
	if err != nil {
		return nil, err
	}
	for _, post := range posts {
		p.posts = append(p.posts, post)
		p.byKey[keyOf(post.Channel, post.Key)] = post.MsgID
	}
	p.seq = len(posts)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	p.journal = f
	return p, nil
}

// ReadJournal returns the posts recorded in a journal file (none if it
// does not exist).
func ReadJournal(path string) ([]Post, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	var out []Post
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p Post
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			// A torn last line from a killed process: the post was not
			// acknowledged, so it does not count.
			continue
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return out, nil
}

// Close closes the journal, if any.
func (p *Platform) Close() error {
	if p.journal == nil {
		return nil
	}
	return p.journal.Close()
}

func keyOf(ch bot.ChannelRef, key string) string { return ch.String() + "\x00" + key }

// Name implements bot.Platform.
func (p *Platform) Name() string { return p.name }

// AdminHint implements bot.AdminHinter.
func (p *Platform) AdminHint() string { return p.Hint }

// Run implements bot.Platform: it keeps h for [Platform.Send] and blocks
// until ctx is done.
func (p *Platform) Run(ctx context.Context, h bot.Handler) error {
	p.mu.Lock()
	p.handler = h
	p.mu.Unlock()
	<-ctx.Done()
	return nil
}

// Send delivers a command to the handler given to Run, as a user would.
func (p *Platform) Send(ctx context.Context, cmd bot.Command) (bot.Reply, error) {
	p.mu.Lock()
	h := p.handler
	p.mu.Unlock()
	if h == nil {
		return bot.Reply{}, errors.New("bottest: Send before Run")
	}
	return h.HandleCommand(ctx, cmd)
}

// FailNext makes the next n posts fail with err (nothing recorded).
func (p *Platform) FailNext(n int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failNext, p.failErr = n, err
}

// SetUnavailable makes posts to ch fail with an error wrapping
// bot.ErrChannelUnavailable and the given reason ("not_in_channel"); an
// empty reason makes the channel available again.
func (p *Platform) SetUnavailable(ch bot.ChannelRef, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if reason == "" {
		delete(p.unavailable, ch)
		return
	}
	p.unavailable[ch] = fmt.Errorf("%s: %w", reason, bot.ErrChannelUnavailable)
}

// SetChannelError makes posts to ch fail with ce, as an adapter reports a
// channel it cannot post to with a reason and a fix; nil makes the channel
// available again.
func (p *Platform) SetChannelError(ch bot.ChannelRef, ce *bot.ChannelError) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ce == nil {
		delete(p.unavailable, ch)
		return
	}
	p.unavailable[ch] = fmt.Errorf("post to %s: %w", ch, ce)
}

// SetRateLimit makes the platform accept at most perSecond posts per
// second (bursts of burst) and answer the rest with a *bot.RateLimitError
// whose RetryAfter is the time until the next post would be accepted, like
// a real 429. perSecond <= 0 removes the limit.
func (p *Platform) SetRateLimit(perSecond float64, burst int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if perSecond <= 0 {
		p.lim = nil
		return
	}
	p.lim = rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
}

// Post implements bot.Platform.
func (p *Platform) Post(ctx context.Context, ch bot.ChannelRef, m bot.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if p.BeforePost != nil {
		if err := p.BeforePost(ctx, ch, m); err != nil {
			return "", err
		}
	}
	p.mu.Lock()
	p.calls++
	if err, ok := p.unavailable[ch]; ok {
		p.mu.Unlock()
		return "", err
	}
	if p.failNext > 0 {
		p.failNext--
		err := p.failErr
		p.mu.Unlock()
		return "", err
	}
	if p.lim != nil {
		now := p.now()
		r := p.lim.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			p.limited++
			p.mu.Unlock()
			return "", &bot.RateLimitError{RetryAfter: d}
		}
	}
	p.seq++
	post := Post{Channel: ch, Key: m.Key, MsgID: p.name + "-" + strconv.Itoa(p.seq), Text: m.Text, At: p.now(), Message: m}
	if m.Briefing != nil {
		post.Stories, post.More = len(m.Briefing.Items), m.Briefing.More
	}
	if p.journal != nil {
		line, err := json.Marshal(post)
		if err == nil {
			_, err = p.journal.Write(append(line, '\n'))
		}
		if err == nil {
			err = p.journal.Sync()
		}
		if err != nil {
			p.seq--
			p.mu.Unlock()
			return "", fmt.Errorf("bottest journal: %w", err)
		}
	}
	p.posts = append(p.posts, post)
	if m.Key != "" {
		p.byKey[keyOf(ch, m.Key)] = post.MsgID
	}
	p.mu.Unlock()
	if p.AfterPost != nil {
		p.AfterPost(ctx, post)
	}
	return post.MsgID, nil
}

// Posted implements bot.PostedChecker.
func (p *Platform) Posted(ctx context.Context, ch bot.ChannelRef, key string) (string, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.byKey[keyOf(ch, key)]
	return id, ok, nil
}

// Posts returns a copy of the accepted posts, oldest first.
func (p *Platform) Posts() []Post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Post(nil), p.posts...)
}

// Stats returns how many times Post was called (past BeforePost) and how
// many of those calls were answered with a rate limit.
func (p *Platform) Stats() (calls, rateLimited int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, p.limited
}

// Unchecked returns p without its PostedChecker capability, for testing
// code paths that must work without it.
func (p *Platform) Unchecked() bot.Platform { return unchecked{p} }

type unchecked struct{ p *Platform }

// Name, Run and Post forward to the wrapped platform.
func (u unchecked) Name() string { return u.p.Name() }

// Run forwards to the wrapped platform.
func (u unchecked) Run(ctx context.Context, h bot.Handler) error { return u.p.Run(ctx, h) }

// Post forwards to the wrapped platform.
func (u unchecked) Post(ctx context.Context, ch bot.ChannelRef, m bot.Message) (string, error) {
	return u.p.Post(ctx, ch, m)
}

// Clock is a settable clock for Config.Now fields. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Command returns a command typed in ch by user "U1" ("admin" when admin).
func Command(ch bot.ChannelRef, text string, admin bool) bot.Command {
	user := "U1"
	if admin {
		user = "admin"
	}
	return bot.Command{Channel: ch, User: user, UserName: user, Admin: admin, Text: text}
}
