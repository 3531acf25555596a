package htmltext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "  Leaders   meet\tin Rio ", "Leaders meet in Rio"},
		{"entities", "Caf&eacute; &amp; bar &#8220;quoted&#8221; &nbsp;x", "Café & bar “quoted” x"},
		{"double escaped", "AT&amp;amp;T", "AT&amp;T"},
		{"bare ampersand", "AT&T and R&D", "AT&T and R&D"},
		{"inline tags", "The <b>G20</b> <a href='x'>summit</a> opens", "The G20 summit opens"},
		{"no space across inline", "un<i>believ</i>able", "unbelievable"},
		{"paragraphs", "<p>One.</p><p>Two.</p>", "One.\n\nTwo."},
		{"br", "line one<br>line two<br/>three", "line one\nline two\nthree"},
		{"div and text", "Intro<div>Block</div>Tail", "Intro\n\nBlock\n\nTail"},
		{"list", "<ul><li>a</li><li>b</li></ul>after", "a\nb\n\nafter"},
		{"headings", "<h2>Title</h2>Body text", "Title\n\nBody text"},
		{"script dropped", "Hi<script>alert('x')</script> there", "Hi there"},
		{"style dropped", "<style>p{color:red}</style><p>Text</p>", "Text"},
		{"nested svg dropped", "a<svg><svg><text>no</text></svg>still no</svg>b", "ab"},
		{"comment", "a<!-- hidden -->b", "ab"},
		{"img", "Look <img src=x alt=photo> here", "Look here"},
		{"blank paragraphs collapse", "<p></p><p> </p><p>x</p><p></p>", "x"},
		{"pre keeps lines", "<pre>a  b\nc</pre>", "a b\nc"},
		{"nbsp and zero width", "a\u00a0\u00a0b\u200bc\u00adde", "a bcde"},
		{"controls removed", "a\x00b\x07c", "abc"},
		{"invalid utf8 removed", "caf\xe9", "caf"},
		{"unclosed tag", "text <b>bold", "text bold"},
		{"broken markup", "<p>Broken <a href=\"x>link</p> end", "Broken"},
		{"cdata-ish", "a <![CDATA[b]]> c", "a c"},
		{"crlf", "one\r\ntwo", "one two"},
		{"figure caption", "<figure><img src=x><figcaption>Caption</figcaption></figure>Body", "Caption\n\nBody"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"title with markup", "<em>Breaking</em>: <b>G20</b> &amp; climate", "Breaking: G20 & climate"},
		{"multi line", "<p>One</p><p>Two</p>", "One Two"},
		{"br", "a<br>b", "a b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Line(tc.in); got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextOnFiles(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	got := Text(string(b))
	for _, want := range []string{"Leaders of the G20 met in Rio on Monday.", "They agreed on a climate fund.\n\nThe talks"} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"trackPageView", "font-family", "Share on", "<"} {
		if strings.Contains(got, bad) {
			t.Errorf("text contains %q:\n%s", bad, got)
		}
	}
}

// checkText asserts the properties every output of Text has.
func checkText(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 in %q", out)
	}
	if out != strings.TrimSpace(out) {
		t.Fatalf("untrimmed output %q", out)
	}
	if strings.Contains(out, "\n\n\n") || strings.Contains(out, "  ") ||
		strings.Contains(out, " \n") || strings.Contains(out, "\n ") {
		t.Fatalf("uncollapsed whitespace in %q", out)
	}
	for _, r := range out {
		if r != '\n' && (unicode.IsControl(r) || r == '\ufffd') {
			t.Fatalf("control or replacement character %U in %q", r, out)
		}
	}
	// Entities can grow (&nGt; is 5 bytes, its text 6), but never by much.
	if len(out) > 2*len(in) {
		t.Fatalf("output %d bytes from input %d bytes", len(out), len(in))
	}
	if !strings.ContainsAny(in, "<&") && out != strings.Join(strings.Fields(out), " ") {
		t.Fatalf("plain input %q gave multi-line %q", in, out)
	}
	if l := Line(in); strings.Contains(l, "\n") {
		t.Fatalf("Line(%q) = %q has a newline", in, l)
	}
}

func FuzzText(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{"", "a<b>c", "&amp;amp;", "<script>x</script>", "<pre>\n\n</pre>", "&nGt;", "x\xe9y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkText(t, in, Text(in))
	})
}

// FuzzScriptDropped checks that text inside a script element never reaches
// the output, whatever surrounds it.
func FuzzScriptDropped(f *testing.F) {
	f.Add("<p>before</p>", "secretvalue", "after")
	f.Add("", "xyzzy", "<b>")
	f.Fuzz(func(t *testing.T, before, body, after string) {
		if len(body) < 4 || strings.ContainsAny(body, "<>&\x00") || strings.TrimSpace(body) != body ||
			strings.Contains(before+after, body) || !utf8.ValidString(body) {
			return
		}
		if strings.ContainsAny(before, "<&") {
			// An open tag or comment in before could swallow the script tag.
			return
		}
		out := Text(before + "<script>" + body + "</script>" + after)
		// The body may also appear by itself when before and after are
		// joined (dropped bytes can glue their text together).
		if strings.Count(out, body) > strings.Count(Text(before+after), body)+strings.Count(Text(before+" "+after), body) {
			t.Fatalf("script body %q leaked into %q", body, out)
		}
	})
}
