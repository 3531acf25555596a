package config

import (
	"bytes"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// redacted is what Redacted puts in place of a secret.
const redacted = "[redacted]"

// Redacted returns a copy of c with every secret (tokens, the signing
// secret, a password in storage.dsn) replaced by "[redacted]"; empty
// secrets stay empty so that the output still shows what is unset. The
// Discord public key is not secret and is kept.
func (c Config) Redacted() Config {
	hide := func(s *string) {
		if *s != "" {
			*s = redacted
		}
	}
	hide(&c.Slack.BotToken)
	hide(&c.Slack.SigningSecret)
	hide(&c.Slack.AppToken)
	hide(&c.Discord.BotToken)
	c.Storage.DSN = RedactDSN(c.Storage.DSN)
	return c
}

// RedactDSN returns dsn with the passwords of a postgres:// URL (in its
// user info, a password or an sslpassword parameter) replaced by
// "[redacted]". Other DSNs
// (SQLite paths) are returned as they are.
func RedactDSN(dsn string) string {
	u, err := url.Parse(strings.TrimSpace(dsn))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		if err != nil && strings.Contains(dsn, "://") {
			return redacted // unparsable: show nothing of it
		}
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), redacted)
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, redacted)
			}
		}
		u.RawQuery = q.Encode()
	}
	// Shown to people, not parsed: "[redacted]" reads better unescaped.
	return strings.ReplaceAll(u.String(), url.QueryEscape(redacted), redacted)
}

// Marshal renders c as YAML with the config file's key names, in the order
// the Config struct declares them, durations as "15m0s"-style strings.
// Marshal(c) loads back with [Load] to the same Config.
func Marshal(c Config) ([]byte, error) {
	n, err := node(reflect.ValueOf(c))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return buf.Bytes(), nil
}

func node(v reflect.Value) (*yaml.Node, error) {
	if v.Type() == reflect.TypeOf(time.Duration(0)) {
		return &yaml.Node{Kind: yaml.ScalarNode, Value: time.Duration(v.Int()).String()}, nil
	}
	switch v.Kind() {
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			key := t.Field(i).Tag.Get("mapstructure")
			if key == "" {
				continue
			}
			val, err := node(v.Field(i))
			if err != nil {
				return nil, err
			}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, val)
		}
		return m, nil
	case reflect.Slice:
		s := &yaml.Node{Kind: yaml.SequenceNode}
		if v.Type().Elem().Kind() != reflect.Struct {
			s.Style = yaml.FlowStyle
		}
		for i := 0; i < v.Len(); i++ {
			el, err := node(v.Index(i))
			if err != nil {
				return nil, err
			}
			s.Content = append(s.Content, el)
		}
		return s, nil
	case reflect.String:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.String()}, nil
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}, nil
	case reflect.Int, reflect.Int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}, nil
	}
	return nil, fmt.Errorf("config: cannot render %s", v.Type())
}
