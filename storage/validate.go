package storage

import (
	"errors"
	"fmt"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds"
)

// ErrInvalid is wrapped by the errors a store returns for a value it
// refuses to save (a source with neither URL nor path, a topic without a
// name, ...). Check it with errors.Is.
var ErrInvalid = errors.New("invalid")

// ValidateSource checks that src has exactly one of URL and Path.
func ValidateSource(src feeds.Source) error {
	switch {
	case src.URL == "" && src.Path == "":
		return fmt.Errorf("source %q has neither a url nor a path: %w", src.Name, ErrInvalid)
	case src.URL != "" && src.Path != "":
		return fmt.Errorf("source %q has both a url and a path; keep one: %w", src.Name, ErrInvalid)
	}
	return nil
}

// ValidateTopic checks that t names its channel and itself.
func ValidateTopic(t bot.Topic) error {
	if err := validateChannel(t.Channel); err != nil {
		return fmt.Errorf("topic %q: %w", t.Name, err)
	}
	if t.Name == "" {
		return fmt.Errorf("topic in %s has no name: %w", t.Channel, ErrInvalid)
	}
	return nil
}

// ValidateSubscription checks that s names its channel and topic.
func ValidateSubscription(s bot.Subscription) error {
	if err := validateChannel(s.Channel); err != nil {
		return fmt.Errorf("subscription to %q: %w", s.Topic, err)
	}
	if s.Topic == "" {
		return fmt.Errorf("subscription in %s has no topic: %w", s.Channel, ErrInvalid)
	}
	return nil
}

// ValidateDelivery checks that d names its subscription and slot.
func ValidateDelivery(d bot.Delivery) error {
	if d.SubscriptionID == "" {
		return fmt.Errorf("delivery has no subscription id: %w", ErrInvalid)
	}
	if d.Scheduled.IsZero() {
		return fmt.Errorf("delivery of %q has no scheduled time: %w", d.SubscriptionID, ErrInvalid)
	}
	return nil
}

func validateChannel(c bot.ChannelRef) error {
	if c.Platform == "" || c.Channel == "" {
		return fmt.Errorf("channel %q needs a platform and a channel id: %w", c.String(), ErrInvalid)
	}
	return nil
}
