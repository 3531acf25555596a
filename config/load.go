package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// EnvPrefix is the prefix of environment variables that set config keys.
const EnvPrefix = "NEWSBOT"

// DefaultFile is the config file used when none is named and it exists.
const DefaultFile = "newsbot.yaml"

// Defaults returns the configuration used for keys that neither the file nor
// the environment set.
func Defaults() Config {
	return Config{
		HTTP:    HTTP{Addr: ":8080", ShutdownTimeout: 10 * time.Second},
		Log:     Log{Level: "info", Format: "auto"},
		Storage: Storage{DSN: "newsbot.db", Retention: 30 * 24 * time.Hour},
		Fetch: Fetch{
			Interval:     15 * time.Minute,
			MinInterval:  5 * time.Minute,
			MaxInterval:  6 * time.Hour,
			Timeout:      20 * time.Second,
			MaxBodyBytes: 10 << 20,
			PerHost:      2,
			Concurrency:  16,
			MaxFailures:  10,
			UserAgent:    "newsbot/1 (+https://github.com/newsbot/newsbot)",
		},
		Briefing: Briefing{Stories: 5, Sentences: 2, Chars: 600, Window: 72 * time.Hour},
		Schedule: Schedule{TimeZone: "UTC", Grace: 2 * time.Hour},
		Slack:    Slack{APIURL: "https://slack.com/api/"},
		Discord:  Discord{Mode: "http", APIURL: "https://discord.com/api/v9/", ShardCount: 1},
	}
}

// Load reads the configuration: defaults, then the YAML file at path (if
// path is "", DefaultFile when it exists), then NEWSBOT_* environment
// variables. It returns the config and an error describing every problem
// found (unknown keys, bad values), so that one run of `newsbot config
// check` lists them all. The returned config is usable for printing even
// when err is not nil.
func Load(path string) (Config, error) {
	return load(path, true)
}

// LoadUnvalidated is Load without Validate: its error reports only a file
// that cannot be read or parsed, unknown keys and values of the wrong type.
// It is for commands that need a few keys and check those themselves
// (newsbot discord register), so that unrelated settings do not block them.
func LoadUnvalidated(path string) (Config, error) {
	return load(path, false)
}

func load(path string, validate bool) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	for key, val := range flatten(Defaults()) {
		v.SetDefault(key, val)
		if err := v.BindEnv(key); err != nil {
			return Config{}, fmt.Errorf("bind %s: %w", key, err)
		}
	}
	if path == "" {
		if _, err := os.Stat(DefaultFile); err == nil {
			path = DefaultFile
		}
	}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return Config{}, fmt.Errorf("open config: %w", err)
		}
		err = v.ReadConfig(f)
		f.Close()
		if err != nil {
			return Config{}, fmt.Errorf("read config %s: %w", path, err)
		}
	}
	problems := checkKeys(v)
	var cfg Config
	decode := func(c *mapstructure.DecoderConfig) {
		c.ErrorUnused = true
		c.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		)
	}
	if err := v.Unmarshal(&cfg, decode); err != nil {
		problems = append(problems, cleanDecodeError(err)...)
		// Decode again leniently so the caller still gets every valid key.
		cfg = Config{}
		_ = v.Unmarshal(&cfg, func(c *mapstructure.DecoderConfig) {
			c.WeaklyTypedInput = true
			c.DecodeHook = mapstructure.ComposeDecodeHookFunc(
				mapstructure.StringToTimeDurationHookFunc(),
				mapstructure.StringToSliceHookFunc(","),
			)
		})
	}
	if !validate {
		return cfg, errors.Join(problems...)
	}
	if len(problems) == 0 {
		if err := cfg.Validate(); err != nil {
			problems = append(problems, err)
		}
	} else if err := cfg.Validate(); err != nil {
		// Keep the validation messages for keys that decoded fine.
		for _, e := range unwrapJoined(err) {
			if !mentionsAny(e.Error(), problems) {
				problems = append(problems, e)
			}
		}
	}
	return cfg, errors.Join(problems...)
}

// flatten lists every leaf key of c (dotted, as viper names them) with its
// value. Slices of structs (sources, topics, subscriptions) are leaves: they
// come from the file only.
func flatten(c Config) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := f.Tag.Get("mapstructure")
			if key == "" {
				continue
			}
			if prefix != "" {
				key = prefix + "." + key
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(time.Time{}) {
				walk(key, fv)
				continue
			}
			if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct {
				continue
			}
			out[key] = fv.Interface()
		}
	}
	walk("", reflect.ValueOf(c))
	return out
}

// Keys returns every configuration key settable from the environment, sorted.
func Keys() []string {
	m := flatten(Defaults())
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// EnvName returns the environment variable that sets key.
func EnvName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// checkKeys reports keys the file or environment set that newsbot does not
// know, and scalar values of the wrong type, in plain words. Bad values are
// replaced by their defaults so that decoding can go on.
func checkKeys(v *viper.Viper) []error {
	defaults := flatten(Defaults())
	prefixes := map[string]bool{}
	for k := range defaults {
		for i := range k {
			if k[i] == '.' {
				prefixes[k[:i]] = true
			}
		}
	}
	var problems []error
	reported := map[string]bool{}
	candidates := map[string]any{}
	for k := range defaults {
		candidates[k] = nil
	}
	for k := range prefixes {
		candidates[k] = nil
	}
	all := v.AllKeys()
	sortStrings(all)
	for _, k := range all {
		if _, ok := defaults[k]; ok || isListKey(k) {
			continue
		}
		// Report the first path element that is unknown: "slak", not "slak.x".
		parts := strings.Split(k, ".")
		for i := 1; i <= len(parts); i++ {
			if p := strings.Join(parts[:i], "."); !prefixes[p] {
				k = p
				break
			}
		}
		if reported[k] {
			continue
		}
		reported[k] = true
		msg := fmt.Sprintf("%s: unknown key", k)
		if near := nearestKey(k, candidates, 4); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		problems = append(problems, errors.New(msg))
	}
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		if !v.IsSet(k) {
			continue
		}
		if _, isDur := defaults[k].(time.Duration); isDur {
			switch n := v.Get(k).(type) {
			case int, int64, uint64, float64:
				if fmt.Sprint(n) != "0" {
					problems = append(problems, fmt.Errorf("%s: %v has no unit; write a duration such as 10s, 15m or 2h", k, n))
					v.Set(k, defaults[k])
				}
				continue
			}
		}
		raw, ok := v.Get(k).(string)
		if !ok {
			continue
		}
		var err error
		switch defaults[k].(type) {
		case time.Duration:
			if _, e := time.ParseDuration(raw); e != nil {
				err = fmt.Errorf("%s: %q is not a duration (for example 30s, 15m, 2h)", k, raw)
			}
		case int, int64:
			if _, e := strconv.ParseInt(raw, 10, 64); e != nil {
				err = fmt.Errorf("%s: %q is not a whole number", k, raw)
			}
		case bool:
			if _, e := strconv.ParseBool(raw); e != nil {
				err = fmt.Errorf("%s: %q is not true or false", k, raw)
			}
		}
		if err != nil {
			problems = append(problems, err)
			v.Set(k, defaults[k])
		}
	}
	return problems
}

// isListKey reports whether k lies under one of the lists of structs
// (sources, topics, subscriptions), whose entries decoding checks.
func isListKey(k string) bool {
	for _, p := range []string{"sources", "topics", "subscriptions"} {
		if k == p || strings.HasPrefix(k, p+".") {
			return true
		}
	}
	return false
}

// nearestKey returns the known key closest to k by edit distance, if it is
// nearer than far.
func nearestKey(k string, known map[string]any, far int) string {
	best, bestD := "", far
	for cand := range known {
		if d := editDistance(k, cand); d < bestD || (d == bestD && cand < best) {
			best, bestD = cand, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// cleanDecodeError turns mapstructure's error list into one error per
// problem, in newsbot's "key: what is wrong" form.
func cleanDecodeError(err error) []error {
	var out []error
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "decoding failed") {
			continue
		}
		if i := strings.Index(line, "has invalid keys: "); i >= 0 {
			where := strings.Trim(line[:i], "' ")
			if where == "config.Config" || !strings.Contains(where, "[") {
				continue // checkKeys reported keys outside the lists already
			}
			for _, k := range strings.Split(line[i+len("has invalid keys: "):], ", ") {
				key := k
				if where != "" {
					key = where + "." + k
				}
				out = append(out, fmt.Errorf("%s: unknown key", key))
			}
			continue
		}
		out = append(out, errors.New(strings.ReplaceAll(line, "'", "")))
	}
	return out
}

func unwrapJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func mentionsAny(msg string, problems []error) bool {
	key, _, _ := strings.Cut(msg, ":")
	for _, p := range problems {
		if strings.HasPrefix(p.Error(), key+":") {
			return true
		}
	}
	return false
}

// UnknownEnv returns a warning for every NEWSBOT_* variable in environ
// that sets no config key (a typo such as NEWSBOT_SLACK_TOKEN would
// otherwise be ignored in silence), with the closest known name.
// NEWSBOT_TEST_* variables, used by newsbot's own tests, are skipped.
func UnknownEnv(environ []string) []string {
	known := map[string]any{}
	for _, k := range Keys() {
		known[EnvName(k)] = nil
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix+"_") || strings.HasPrefix(name, EnvPrefix+"_TEST_") {
			continue
		}
		if _, ok := known[name]; ok {
			continue
		}
		msg := name + " is not a newsbot setting and is ignored"
		if near := nearestKey(name, known, 7); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		out = append(out, msg)
	}
	sortStrings(out)
	return out
}
