package bot

import (
	"errors"
	"fmt"
)

// Error codes of [Error]. A command that fails with one of the codes other
// than EINTERNAL is the user's to fix, and the bot replies with its message.
const (
	// EINVALID: the command or one of its arguments is malformed.
	EINVALID = "invalid"
	// EFORBIDDEN: the user lacks the permission the command needs.
	EFORBIDDEN = "forbidden"
	// ENOTFOUND: the topic, subscription or source named does not exist.
	ENOTFOUND = "not_found"
	// ECONFLICT: the change clashes with something that exists.
	ECONFLICT = "conflict"
	// EINTERNAL: anything else; the user sees a generic message and the
	// detail is logged.
	EINTERNAL = "internal"
)

// Error is a user-facing error: a code and a message meant for the person
// who typed the command. Err, if set, is the underlying cause (logged, never
// shown).
type Error struct {
	Code    string
	Message string
	Err     error
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// genericMessage is what users see for internal errors.
const genericMessage = "Something went wrong on my side; the details are in the bot's log. Please try again later."

// ErrorCode returns the code of the first *Error in err's chain: "" for a
// nil error and EINTERNAL for an error that carries no code.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the text to show a user for err: the message of an
// *Error with a known, non-internal code, else a generic "something went
// wrong" (the detail belongs in the log, not in the chat).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.Code {
		case EINVALID, EFORBIDDEN, ENOTFOUND, ECONFLICT:
			if e.Message != "" {
				return e.Message
			}
		}
	}
	return genericMessage
}
