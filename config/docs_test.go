package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// keyRow matches one row of the key table in docs/configuration.md:
// | `key` | `NEWSBOT_KEY` | `default` | meaning |
var keyRow = regexp.MustCompile("^\\| `([a-z0-9_.]+)` \\| `([A-Z0-9_]+)` \\| `([^`]*)` \\| (.+) \\|$")

// docRows reads the key table of docs/configuration.md: key -> {env,
// default}.
func docRows(t *testing.T) (map[string][2]string, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "docs", "configuration.md"))
	if err != nil {
		t.Fatalf("read the configuration reference: %v", err)
	}
	rows := map[string][2]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		m := keyRow.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("docs/configuration.md lists %s twice", m[1])
		}
		rows[m[1]] = [2]string{m[2], m[3]}
	}
	return rows, string(raw)
}

// docDefault reports whether the default written in the docs means the
// same value as def.
func docDefault(doc string, def any) error {
	switch v := def.(type) {
	case time.Duration:
		d, err := time.ParseDuration(doc)
		if err != nil || d != v {
			return fmt.Errorf("documented %q, the code's default is %s", doc, v)
		}
	case string:
		if (v == "" && doc != `""`) || (v != "" && doc != v) {
			return fmt.Errorf("documented %q, the code's default is %q", doc, v)
		}
	case bool:
		b, err := strconv.ParseBool(doc)
		if err != nil || b != v {
			return fmt.Errorf("documented %q, the code's default is %t", doc, v)
		}
	case int, int64:
		n, err := strconv.ParseInt(doc, 10, 64)
		if err != nil || n != reflect.ValueOf(v).Int() {
			return fmt.Errorf("documented %q, the code's default is %v", doc, v)
		}
	case []string:
		if doc != "["+strings.Join(v, ", ")+"]" {
			return fmt.Errorf("documented %q, the code's default is %v", doc, v)
		}
	default:
		return fmt.Errorf("no rule to compare a %T default", def)
	}
	return nil
}

// The configuration reference lists every key with its environment
// variable and its real default, and no key that does not exist.
func TestDocsListEveryKey(t *testing.T) {
	t.Parallel()
	rows, _ := docRows(t)
	defaults := flatten(Defaults())
	for _, k := range Keys() {
		row, ok := rows[k]
		if !ok {
			t.Errorf("docs/configuration.md: no row for %s", k)
			continue
		}
		if row[0] != EnvName(k) {
			t.Errorf("docs/configuration.md: %s: environment %s, want %s", k, row[0], EnvName(k))
		}
		if err := docDefault(row[1], defaults[k]); err != nil {
			t.Errorf("docs/configuration.md: %s: %v", k, err)
		}
	}
	for k := range rows {
		if !slices.Contains(Keys(), k) {
			t.Errorf("docs/configuration.md documents %s, which is not a key", k)
		}
	}
}

// The reference describes every field of the file-only lists.
func TestDocsListEveryListField(t *testing.T) {
	t.Parallel()
	_, text := docRows(t)
	ct := reflect.TypeOf(Config{})
	for i := 0; i < ct.NumField(); i++ {
		f := ct.Field(i)
		if f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
			continue
		}
		list := f.Tag.Get("mapstructure")
		et := f.Type.Elem()
		for j := 0; j < et.NumField(); j++ {
			field := list + "[]." + et.Field(j).Tag.Get("mapstructure")
			if !strings.Contains(text, "| `"+field+"` |") {
				t.Errorf("docs/configuration.md: no row for %s", field)
			}
		}
	}
}

// The doc test itself must notice a wrong default.
func TestDocDefaultComparesValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		def  any
		ok   bool
	}{
		{"duration same", "720h", 720 * time.Hour, true},
		{"duration other", "72h", 720 * time.Hour, false},
		{"bare number is not a duration", "10", 10 * time.Second, false},
		{"empty string", `""`, "", true},
		{"empty string written empty", "", "", false},
		{"string", ":8080", ":8080", true},
		{"string other", ":9090", ":8080", false},
		{"bool", "false", false, true},
		{"bool other", "true", false, false},
		{"int", "16", 16, true},
		{"int64", "10485760", int64(10 << 20), true},
		{"int other", "15", 16, false},
		{"empty list", "[]", []string(nil), true},
		{"list", "[U1, U2]", []string{"U1", "U2"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := docDefault(tc.doc, tc.def); (err == nil) != tc.ok {
				t.Errorf("docDefault(%q, %#v) = %v, want ok=%t", tc.doc, tc.def, err, tc.ok)
			}
		})
	}
}
