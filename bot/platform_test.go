package bot_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/newsbot/newsbot/bot"
)

func TestChannelError(t *testing.T) {
	t.Parallel()
	sdk := errors.New(`HTTP 403 Forbidden, {"message": "Missing Access", "code": 50001}`)
	cases := []struct {
		name      string
		err       *bot.ChannelError
		wantError string
		wantMsg   string
	}{
		{
			name:      "reason, fix and cause",
			err:       &bot.ChannelError{Reason: "The bot cannot see this channel.", Fix: "Invite it.", Err: sdk},
			wantError: "channel unavailable: " + sdk.Error(),
			wantMsg:   "The bot cannot see this channel. Invite it.",
		},
		{
			name:      "no cause",
			err:       &bot.ChannelError{Reason: "The channel is archived.", Fix: "Unarchive it."},
			wantError: "channel unavailable: The channel is archived.",
			wantMsg:   "The channel is archived. Unarchive it.",
		},
		{
			name:      "reason only",
			err:       &bot.ChannelError{Reason: "The channel is gone."},
			wantError: "channel unavailable: The channel is gone.",
			wantMsg:   "The channel is gone.",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wrapped := fmt.Errorf("post to discord::42: %w", tc.err)
			if !errors.Is(wrapped, bot.ErrChannelUnavailable) {
				t.Error("errors.Is(wrapped, ErrChannelUnavailable) = false")
			}
			if tc.err.Err != nil && !errors.Is(wrapped, tc.err.Err) {
				t.Error("the platform's error is not in the chain")
			}
			ce, ok := errors.AsType[*bot.ChannelError](wrapped)
			if !ok || ce != tc.err {
				t.Fatal("errors.As does not find the ChannelError")
			}
			if got := tc.err.Error(); got != tc.wantError {
				t.Errorf("Error() = %q, want %q", got, tc.wantError)
			}
			if got := tc.err.Message(); got != tc.wantMsg {
				t.Errorf("Message() = %q, want %q", got, tc.wantMsg)
			}
		})
	}
	if errors.Is(errors.New("channel unavailable"), bot.ErrChannelUnavailable) {
		t.Error("a look-alike error matches ErrChannelUnavailable")
	}
}
