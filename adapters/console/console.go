// Package console is a terminal [bot.Platform]: it reads `/news ...` lines
// from an input, writes the bot's replies rendered for a terminal, and
// prints scheduled digests as they are posted. It needs no tokens and is
// what `newsbot chat` runs; like joe's CLI adapter, it is the quickest way
// to try the whole bot.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

// Name is the platform name of the console ("console:" in channel refs).
const Name = "console"

// Options configures a [Platform]. Zero fields take the defaults.
type Options struct {
	// Channel is the channel the user types in (default "terminal").
	Channel string
	// User is the user's ID (default "you").
	User string
	// Admin lets the user change topics, subscriptions and sources.
	Admin bool
	// Width is the wrap column (default 80).
	Width int
	// Prompt is printed before each line is read ("" for none: input
	// from a pipe or a script).
	Prompt string
	// Echo writes each input line back, after the prompt, so that a
	// transcript of scripted input reads like a session.
	Echo bool
	// Now is the clock for digest headers (default time.Now).
	Now func() time.Time
}

// Platform is the console platform. It is safe for concurrent use: replies
// and digests posted by the job queue never interleave mid-message.
type Platform struct {
	in  io.Reader
	out io.Writer
	opt Options

	mu  sync.Mutex
	seq int
}

// New returns a console reading commands from in and writing to out.
func New(in io.Reader, out io.Writer, opt Options) *Platform {
	if opt.Channel == "" {
		opt.Channel = "terminal"
	}
	if opt.User == "" {
		opt.User = "you"
	}
	if opt.Width <= 0 {
		opt.Width = 80
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Platform{in: in, out: out, opt: opt}
}

// Name implements bot.Platform.
func (p *Platform) Name() string { return Name }

// Channel returns the channel the console user types in.
func (p *Platform) Channel() bot.ChannelRef {
	return bot.ChannelRef{Platform: Name, Channel: p.opt.Channel}
}

// AdminHint implements bot.AdminHinter.
func (p *Platform) AdminHint() string {
	return "starting `newsbot chat` with --as-admin"
}

// Run implements bot.Platform: it reads lines until the input ends, the
// user types quit or exit, or ctx is done, passing each to h, and returns
// nil. Lines may start with /news or not ("g20" is "/news g20").
//
// A read from the input cannot be interrupted; when ctx ends first, Run
// returns and leaves the blocked read behind.
func (p *Platform) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(p.in)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	p.prompt()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			p.write("\n")
			if err != nil {
				return fmt.Errorf("console: read: %w", err)
			}
			return nil
		case line := <-lines:
			if p.opt.Echo {
				p.write(line + "\n")
			}
			if quit := p.handle(ctx, h, line); quit {
				return nil
			}
			p.prompt()
		}
	}
}

// handle runs one input line; it reports whether the user asked to quit.
func (p *Platform) handle(ctx context.Context, h bot.Handler, line string) bool {
	text := strings.TrimSpace(line)
	switch strings.ToLower(text) {
	case "":
		return false
	case "quit", "exit", "/quit", "/exit":
		return true
	}
	if strings.HasPrefix(text, "/") {
		word, rest, _ := strings.Cut(text, " ")
		if !strings.EqualFold(word, "/news") {
			p.write(fmt.Sprintf("%s is not a newsbot command; commands start with /news (try /news help).\n\n", word))
			return false
		}
		text = strings.TrimSpace(rest)
	}
	cmd := bot.Command{Channel: p.Channel(), User: p.opt.User, UserName: p.opt.User, Admin: p.opt.Admin, Text: text}
	rep, err := h.HandleCommand(ctx, cmd)
	if err != nil && rep.Text == "" && rep.Briefing == nil {
		rep.Text = "Something went wrong; see the log."
	}
	p.write(Render(rep, p.opt.Width) + "\n")
	return false
}

// Post implements bot.Platform: it prints the message as a digest block.
// Channels of other platforms are unavailable.
func (p *Platform) Post(ctx context.Context, ch bot.ChannelRef, m bot.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if ch.Platform != Name {
		return "", fmt.Errorf("console cannot post to %s: %w", ch, bot.ErrChannelUnavailable)
	}
	var sb strings.Builder
	title := fmt.Sprintf("── digest in #%s · %s ", ch.Channel, p.opt.Now().Format("15:04"))
	sb.WriteString("\n" + title + strings.Repeat("─", max(3, p.opt.Width-utf8.RuneCountInString(title))) + "\n")
	sb.WriteString(RenderMessage(m, p.opt.Width))
	sb.WriteString(strings.Repeat("─", p.opt.Width) + "\n")
	p.mu.Lock()
	p.seq++
	id := "console-" + strconv.Itoa(p.seq)
	_, err := io.WriteString(p.out, sb.String())
	if err == nil && p.opt.Prompt != "" {
		_, err = io.WriteString(p.out, p.opt.Prompt)
	}
	p.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("console: write: %w", err)
	}
	return id, nil
}

func (p *Platform) prompt() {
	if p.opt.Prompt != "" {
		p.write(p.opt.Prompt)
	}
}

func (p *Platform) write(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.out, s) // a terminal that cannot be written to has no one to tell
}

// Render renders a reply for a terminal: its text wrapped at width
// (bullets get a hanging indent), then its briefing, if any.
func Render(rep bot.Reply, width int) string {
	var sb strings.Builder
	if rep.Text != "" {
		sb.WriteString(wrapText(rep.Text, width))
	}
	if rep.Briefing != nil {
		if rep.Text != "" {
			sb.WriteString("\n")
		}
		sb.WriteString(briefing.FormatText(*rep.Briefing, width))
	}
	return sb.String()
}

// RenderMessage renders a posted message (a digest) for a terminal.
func RenderMessage(m bot.Message, width int) string {
	return Render(bot.Reply{Text: m.Text, Briefing: m.Briefing}, width)
}

// wrapText wraps each line of s at width; lines starting with "• " wrap
// under their text.
func wrapText(s string, width int) string {
	if width <= 0 {
		width = 80
	}
	var sb strings.Builder
	for _, line := range strings.Split(s, "\n") {
		first, indent := "", ""
		if rest, ok := strings.CutPrefix(line, "• "); ok {
			first, indent, line = "• ", "  ", rest
		}
		cur, n := first, utf8.RuneCountInString(first)
		empty := true
		for _, w := range strings.Fields(line) {
			wl := utf8.RuneCountInString(w)
			if !empty && n+1+wl > width {
				sb.WriteString(cur + "\n")
				cur, n, empty = indent, len(indent), true
			}
			if !empty {
				cur += " "
				n++
			}
			cur += w
			n += wl
			empty = false
		}
		sb.WriteString(cur + "\n")
	}
	return sb.String()
}
