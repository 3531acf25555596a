package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
)

type recordingObserver struct {
	mu         sync.Mutex
	commands   []string
	deliveries []string
	limited    []string
}

func (o *recordingObserver) RateLimited(platform string, retryAfter time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.limited = append(o.limited, platform+" "+retryAfter.String())
}

func (o *recordingObserver) CommandDone(platform, verb, outcome string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.commands = append(o.commands, platform+" "+verb+" "+outcome)
}

func (o *recordingObserver) DeliveryDone(platform, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.deliveries = append(o.deliveries, platform+" "+outcome)
}

func TestObserverSeesCommandOutcomes(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	e := newEnv(t, func(c *bot.Config) { c.Observer = obs })
	e.do(t, chA, "g20", false)
	e.do(t, chA, "help", false)
	e.do(t, chA, "topic add g20 g20", false)   // not an admin
	e.do(t, chA, "subscribe", true)            // missing the topic
	e.do(t, chA, "topic remove nosuch", true)  // no such topic
	e.do(t, chA, "topic add g20 g20 -x", true) // fine
	want := []string{
		"fake brief ok",
		"fake help ok",
		"fake topic add refused",
		"fake unknown user_error",
		"fake topic remove user_error",
		"fake topic add ok",
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if !slices.Equal(obs.commands, want) {
		t.Errorf("observed\n%q\nwant\n%q", obs.commands, want)
	}
}

func TestObserverSeesDeliveryOutcomes(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	e := newEnv(t, func(c *bot.Config) { c.Observer = obs })
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.plat.FailNext(1, errors.New("502 bad gateway"))
	if err := e.bot.Deliver(ctx, id, slot); err == nil {
		t.Fatal("want the platform error back")
	}
	for i := 0; i < 2; i++ { // the second call finds the slot settled
		if err := e.bot.Deliver(ctx, id, slot); err != nil {
			t.Fatal(err)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []string{"fake retry", "fake posted"}; !slices.Equal(obs.deliveries, want) {
		t.Errorf("observed %q, want %q", obs.deliveries, want)
	}
}

// TestObserverSeesRateLimits: a 429 the bot waits out is reported as a
// rate limit, not as a failed delivery.
func TestObserverSeesRateLimits(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	e := newEnv(t, func(c *bot.Config) { c.Observer = obs })
	id, slot := subscribed(t, e, 0)
	e.plat.FailNext(2, &bot.RateLimitError{RetryAfter: 20 * time.Millisecond})
	if err := e.bot.Deliver(context.Background(), id, slot); err != nil {
		t.Fatal(err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []string{"fake 20ms", "fake 20ms"}; !slices.Equal(obs.limited, want) {
		t.Errorf("rate limits observed %q, want %q", obs.limited, want)
	}
	if want := []string{"fake posted"}; !slices.Equal(obs.deliveries, want) {
		t.Errorf("deliveries observed %q, want %q", obs.deliveries, want)
	}
}

// A channel is one channel whatever team an adapter names it with: the
// config file may leave the team out, commands carry it.
func TestChannelIdentityIgnoresTeam(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	withTeam := bot.ChannelRef{Platform: "fake", Team: "G1", Channel: "C9"}
	withoutTeam := bot.ChannelRef{Platform: "fake", Channel: "C9"}
	e.do(t, withTeam, "topic add budget budget", true)
	rep := e.do(t, withoutTeam, "topics", false)
	if !strings.Contains(rep.Text, "budget") {
		t.Errorf("topics without the team: %q", rep.Text)
	}
	ref, err := bot.ParseChannelRef("fake:C9")
	if err != nil || ref != withoutTeam {
		t.Errorf("ParseChannelRef(fake:C9) = %+v, %v", ref, err)
	}
}

func TestTopicNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.do(t, chA, "topic add zeta zeta", true)
	e.do(t, chA, "topic add alpha alpha", true)
	e.do(t, chB, "topic add other other", true)
	names, err := e.bot.TopicNames(context.Background(), bot.ChannelRef{Platform: chA.Platform, Team: "G7", Channel: chA.Channel})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"alpha", "zeta"}) {
		t.Errorf("TopicNames = %v, want [alpha zeta]", names)
	}
}

// teamPlatform is a fake platform serving several teams.
type teamPlatform struct {
	*bottest.Platform
	teams map[string]string // channel -> team
}

func (p teamPlatform) ChannelTeam(_ context.Context, ch bot.ChannelRef) (string, error) {
	t, ok := p.teams[ch.Channel]
	if !ok {
		return "", errors.New("unknown channel")
	}
	return t, nil
}

// On a platform serving several teams, /news health in one team never
// names another team's channels.
func TestHealthShowsOnlyTheTeamsChannels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newFakeStore()
	plat := teamPlatform{Platform: bottest.New("fake"), teams: map[string]string{"C1": "G1", "C7": "G1", "C8": "G2"}}
	b, err := bot.New(st, bot.Config{Now: func() time.Time { return t0 }}, plat)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"C7", "C8", "C9"} {
		h := bot.ChannelHealth{Channel: bot.ChannelRef{Platform: "fake", Channel: c}, Error: "cannot post in " + c, At: t0}
		if err := st.SetChannelHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := b.HandleCommand(ctx, bot.Command{Channel: bot.ChannelRef{Platform: "fake", Team: "G1", Channel: "C1"}, User: "U1", Text: "health"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Text, "cannot post in C7") {
		t.Errorf("health in G1 lacks G1's channel C7:\n%s", rep.Text)
	}
	for _, other := range []string{"C8", "C9"} {
		if strings.Contains(rep.Text, other) {
			t.Errorf("health in G1 names %s, which is not G1's:\n%s", other, rep.Text)
		}
	}
}
