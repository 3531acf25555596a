package bot

import "time"

// Observer is told what the bot did, for metrics. Implementations must be
// fast and safe for concurrent use.
type Observer interface {
	// CommandDone reports one answered command: its platform, verb
	// ("brief", "topic add", ...; "unknown" when it did not parse), an
	// outcome (OutcomeOK, OutcomeUserError, OutcomeRefused, OutcomeError)
	// and how long the answer took.
	CommandDone(platform, verb, outcome string, took time.Duration)
	// DeliveryDone reports one delivery attempt of a scheduled digest: its
	// platform and outcome: a Delivery status (StatusPosted, StatusEmpty,
	// StatusSkipped, StatusFailed) or OutcomeRetry when the attempt failed
	// and will be retried.
	DeliveryDone(platform, outcome string)
}

// RateLimitObserver is an optional extension of [Observer]: when the
// Observer implements it, it is told of every rate limit (429) a platform
// answered a digest post with, and how long the platform asked the bot to
// wait. The bot waits and retries; these waits are not delivery failures.
type RateLimitObserver interface {
	RateLimited(platform string, retryAfter time.Duration)
}

// Outcomes reported to an [Observer].
const (
	// OutcomeOK: the command was answered.
	OutcomeOK = "ok"
	// OutcomeUserError: the command was malformed or asked for something
	// that does not exist; the reply says how to fix it.
	OutcomeUserError = "user_error"
	// OutcomeRefused: the user lacks the permission the command needs.
	OutcomeRefused = "refused"
	// OutcomeError: something went wrong inside the bot.
	OutcomeError = "error"
	// OutcomeRetry: a delivery attempt failed and will be retried.
	OutcomeRetry = "retry"
)

func outcomeOf(err error) string {
	switch ErrorCode(err) {
	case EINTERNAL:
		return OutcomeError
	case EFORBIDDEN:
		return OutcomeRefused
	default:
		return OutcomeUserError
	}
}
