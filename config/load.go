package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
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
	var cfg Config
	var problems []error
	decode := func(c *mapstructure.DecoderConfig) {
		c.ErrorUnused = true
		c.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		)
	}
	if err := v.Unmarshal(&cfg, decode); err != nil {
		problems = append(problems, fmt.Errorf("config: %w", err))
		// Decode again leniently so the caller still gets every valid key.
		cfg = Config{}
		_ = v.Unmarshal(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		problems = append(problems, err)
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
