package slackfake_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	slackapi "github.com/slack-go/slack"
)

// TestFakeWithSlackGo drives the fake with slack-go, as the adapter does.
func TestFakeWithSlackGo(t *testing.T) {
	t.Parallel()
	fake := slackfake.Start(t)
	api := slackapi.New("xoxb-1", slackapi.OptionAPIURL(fake.APIURL()))
	ctx := context.Background()

	_, ts, err := api.PostMessageContext(ctx, "C1", slackapi.MsgOptionText("hi", false),
		slackapi.MsgOptionMetadata(slackapi.SlackMetadata{EventType: "e", EventPayload: map[string]any{"key": "k1"}}))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := api.PostMessageContext(ctx, "C1", slackapi.MsgOptionText("more", false)); err != nil {
			t.Fatal(err)
		}
	}
	// Paged history, newest first, metadata only when asked for.
	var seen []slackapi.Message
	params := &slackapi.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2, IncludeAllMetadata: true}
	for {
		resp, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, resp.Messages...)
		if !resp.HasMore {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	if len(seen) != 4 || seen[3].Timestamp != ts || seen[3].Metadata.EventPayload["key"] != "k1" || seen[0].Timestamp <= seen[1].Timestamp {
		t.Errorf("history = %+v", seen)
	}
	resp, err := api.GetConversationHistoryContext(ctx, &slackapi.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || resp.Messages[3].Metadata.EventType != "" {
		t.Errorf("metadata returned without include_all_metadata: %+v %v", resp, err)
	}

	// Faults: 429 with Retry-After, Slack errors, channel errors.
	fake.FailNext("chat.postMessage", slackfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2})
	_, _, err = api.PostMessageContext(ctx, "C1", slackapi.MsgOptionText("x", false))
	if rl, ok := errors.AsType[*slackapi.RateLimitedError](err); !ok || rl.RetryAfter != 2*time.Second {
		t.Errorf("429 = %v", err)
	}
	fake.SetChannelError("C2", "is_archived")
	if _, _, err := api.PostMessageContext(ctx, "C2", slackapi.MsgOptionText("x", false)); err == nil || err.Error() != "is_archived" {
		t.Errorf("channel error = %v", err)
	}

	// Tokens are recorded from the form or the Authorization header.
	fake.AddUser(slackfake.User{ID: "U1", IsOwner: true})
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil || !u.IsOwner {
		t.Errorf("users.info = %+v, %v", u, err)
	}
	for _, c := range fake.Calls("") {
		if c.Token != "xoxb-1" {
			t.Errorf("%s recorded token %q", c.Method, c.Token)
		}
	}
	if _, err := slackapi.New("", slackapi.OptionAPIURL(fake.APIURL())).GetUserInfoContext(ctx, "U1"); err == nil || err.Error() != "not_authed" {
		t.Errorf("no token = %v", err)
	}
}

func TestFakeResponseURL(t *testing.T) {
	t.Parallel()
	fake := slackfake.Start(t)
	u := fake.ResponseURL()
	if u == fake.ResponseURL() {
		t.Fatal("response URLs repeat")
	}
	fake.FailNext(slackfake.MethodResponseURL, slackfake.Fault{Status: http.StatusNotFound, Error: "expired_url"})
	for _, want := range []int{404, 200} {
		resp, err := http.Post(u, "application/json", strings.NewReader(`{"response_type":"in_channel","text":"hi","blocks":[{"type":"divider"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("status %d, want %d", resp.StatusCode, want)
		}
	}
	calls, err := fake.WaitForCalls(slackfake.MethodResponseURL, 2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c := calls[1]; c.Text() != "hi" || c.Field("response_type") != "in_channel" || string(c.Blocks()) != `[{"type":"divider"}]` {
		t.Errorf("recorded %+v", c)
	}
	if _, err := fake.WaitForCalls("chat.postMessage", 1, 50*time.Millisecond); err == nil {
		t.Error("WaitForCalls did not time out")
	}
}
