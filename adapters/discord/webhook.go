package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// interactionAPI calls the interaction endpoints: the initial response
// callback (gateway mode) and the interaction webhook that edits the
// original response or adds follow-ups.
//
// These calls bypass discordgo's REST client on purpose. Their URLs hold
// the interaction token, which discordgo would put into its error messages
// and keep forever as a rate-limit bucket key (one per interaction). Here
// errors carry only the route's name and Discord's answer, and each call
// honours ctx, including while it waits out a 429.
type interactionAPI struct {
	client    *http.Client
	base      string // API base, ending in "/"
	userAgent string
	retries   int // 429 and 5xx retries per call
}

// apiError is a non-2xx answer from Discord.
type apiError struct {
	Status  int
	Code    int
	Message string
}

func (e *apiError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("discord: %d %s (code %d)", e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("discord: %d %s", e.Status, e.Message)
}

// Discord JSON error codes the adapter acts on.
const (
	codeUnknownChannel     = 10003
	codeUnknownWebhook     = 10015
	codeUnknownInteraction = 10062
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

// respond posts the initial response to an interaction received over the
// gateway.
func (c *interactionAPI) respond(ctx context.Context, id, token string, resp *interactionResponse) error {
	_, err := c.do(ctx, http.MethodPost, "interactions/"+url.PathEscape(id)+"/"+url.PathEscape(token)+"/callback", resp)
	if err != nil {
		return fmt.Errorf("interaction callback: %w", err)
	}
	return nil
}

// editOriginal replaces the original (deferred) response.
func (c *interactionAPI) editOriginal(ctx context.Context, appID, token string, m message) error {
	_, err := c.do(ctx, http.MethodPatch, webhookPath(appID, token)+"/messages/@original", m)
	if err != nil {
		return fmt.Errorf("edit original response: %w", err)
	}
	return nil
}

// deleteOriginal deletes the original (deferred) response.
func (c *interactionAPI) deleteOriginal(ctx context.Context, appID, token string) error {
	_, err := c.do(ctx, http.MethodDelete, webhookPath(appID, token)+"/messages/@original", nil)
	if err != nil {
		return fmt.Errorf("delete original response: %w", err)
	}
	return nil
}

// followup sends a follow-up message.
func (c *interactionAPI) followup(ctx context.Context, appID, token string, m message) error {
	_, err := c.do(ctx, http.MethodPost, webhookPath(appID, token), m)
	if err != nil {
		return fmt.Errorf("follow-up message: %w", err)
	}
	return nil
}

func webhookPath(appID, token string) string {
	return "webhooks/" + url.PathEscape(appID) + "/" + url.PathEscape(token)
}

// do sends one JSON request, retrying 429s (after Discord's retry_after)
// and 502/503/504s (after a short back-off) while ctx allows. Its errors
// never contain the URL.
func (c *interactionAPI) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(payload))
		if err != nil {
			return nil, errors.New("build request: bad interaction id or token")
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("User-Agent", c.userAgent)
		resp, err := c.client.Do(req)
		if err != nil {
			// *url.Error prints the URL, which holds the token: keep only
			// the cause.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("%s %s: %w", method, routeName(path), err)
		}
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if rerr != nil {
			return nil, fmt.Errorf("%s %s: read response: %w", method, routeName(path), rerr)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return data, nil
		}
		var wait time.Duration
		switch resp.StatusCode {
		case http.StatusTooManyRequests:
			wait = parseRateLimit(resp.Header, data).retryAfter
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			wait = time.Duration(attempt+1) * 250 * time.Millisecond
		}
		apiErr := decodeAPIError(resp.StatusCode, data)
		if wait == 0 || attempt >= c.retries {
			return nil, apiErr
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, apiErr
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (while waiting to retry: %w)", apiErr, ctx.Err())
		case <-t.C:
		}
	}
}

// routeName names a route without its secrets.
func routeName(path string) string {
	switch {
	case strings.HasPrefix(path, "interactions/"):
		return "interaction callback"
	case strings.HasSuffix(path, "/messages/@original"):
		return "original response"
	default:
		return "interaction webhook"
	}
}

func decodeAPIError(status int, body []byte) *apiError {
	e := &apiError{Status: status, Message: http.StatusText(status)}
	var b struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &b) == nil {
		e.Code = b.Code
		if b.Message != "" {
			e.Message = b.Message
		}
	}
	return e
}
