// Package htmltext turns the HTML found in feeds (titles, descriptions,
// content, extracted article bodies) into clean plain text: tags removed,
// entities decoded, scripts and styles dropped, whitespace collapsed, and
// block elements turned into paragraph breaks (a blank line), as
// [briefing.Article.Text] expects.
//
// It is a converter, not an HTML sanitizer for display: its output is
// meant to be shown as text. All functions are pure and safe for
// concurrent use.
package htmltext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Text converts an HTML fragment to plain text. Paragraph-level elements
// (p, div, headings, lists, blockquote, tables...) become paragraphs
// separated by one blank line; <br> and list items start a new line. Text
// inside script, style, template, svg and similar elements is dropped, as
// are comments. Runs of spaces collapse to one, lines are trimmed, and the
// result never starts or ends with whitespace. Invalid UTF-8 bytes and
// control characters are removed.
func Text(s string) string {
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		// Plain text: only normalise whitespace (fast path for most titles).
		return plain(s)
	}
	var w writer
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is dropped
	var skipTag atom.Atom
	pre := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.String()
		case html.TextToken:
			if skip > 0 {
				continue
			}
			if pre > 0 {
				w.pre(string(z.Text()))
			} else {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip > 0 {
				if a == skipTag && tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if dropped(a) {
				if tt == html.StartTagToken && !voidElement(a) {
					skip, skipTag = 1, a
				}
				continue
			}
			switch {
			case a == atom.Br:
				w.lineBreak()
			case a == atom.Pre:
				w.paragraph()
				if tt == html.StartTagToken {
					pre++
				}
			case a == atom.Td || a == atom.Th:
				w.space = true
			case a == atom.Img:
				// Images carry no text for a briefing; alt text is usually
				// a caption duplicate or "image".
			case lineElement(a):
				w.lineBreak()
			case blockElement(a):
				w.paragraph()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip > 0 {
				if a == skipTag {
					skip--
				}
				continue
			}
			switch {
			case a == atom.Pre:
				if pre > 0 {
					pre--
				}
				w.paragraph()
			case a == atom.Td || a == atom.Th:
				w.space = true
			case lineElement(a):
				w.lineBreak()
			case blockElement(a):
				w.paragraph()
			}
		}
	}
}

// Line converts an HTML fragment to a single line of plain text, as for a
// headline: like [Text], but every line and paragraph break becomes a
// single space.
func Line(s string) string {
	t := Text(s)
	if !strings.Contains(t, "\n") {
		return t
	}
	return strings.Join(strings.Fields(t), " ")
}

// plain normalises whitespace of text that holds no markup.
func plain(s string) string {
	var w writer
	w.text(s)
	return w.String()
}

// dropped lists elements whose content is never text for a reader.
func dropped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math,
		atom.Iframe, atom.Object, atom.Embed, atom.Head, atom.Title, atom.Select,
		atom.Textarea, atom.Button, atom.Canvas, atom.Audio, atom.Video, atom.Map, atom.Noembed, atom.Noframes:
		return true
	}
	return false
}

// voidElement lists elements that never have an end tag.
func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Embed:
		return true
	}
	return false
}

// lineElement lists elements that start a new line but not a paragraph.
func lineElement(a atom.Atom) bool {
	switch a {
	case atom.Li, atom.Dt, atom.Dd, atom.Tr, atom.Figcaption, atom.Option:
		return true
	}
	return false
}

// blockElement lists elements that form their own paragraph.
func blockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Thead, atom.Tbody, atom.Tfoot,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Aside, atom.Nav, atom.Main,
		atom.Figure, atom.Hr, atom.Address, atom.Details, atom.Summary, atom.Fieldset, atom.Form,
		atom.Caption, atom.Center, atom.Body, atom.Html:
		return true
	}
	return false
}

// writer accumulates text, collapsing whitespace and recording pending
// breaks so that no line starts or ends with a space and no more than one
// blank line separates paragraphs.
type writer struct {
	b     strings.Builder
	space bool // a space is pending before the next word
	brk   int  // pending break: 0 none, 1 newline, 2 blank line
}

func (w *writer) lineBreak() {
	if w.brk < 1 {
		w.brk = 1
	}
	w.space = false
}

func (w *writer) paragraph() {
	w.brk = 2
	w.space = false
}

// text appends flowing text: any whitespace run is one space.
func (w *writer) text(s string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue // invalid byte: drop it
		}
		i += size
		if isSpace(r) {
			w.space = true
			continue
		}
		if dropRune(r) {
			continue
		}
		w.emit(r)
	}
}

// pre appends preformatted text: newlines are kept as line breaks, other
// whitespace collapses.
func (w *writer) pre(s string) {
	for line := range strings.Lines(s) {
		w.text(line)
		if strings.HasSuffix(line, "\n") {
			w.lineBreak()
		}
	}
}

func (w *writer) emit(r rune) {
	if w.b.Len() > 0 {
		switch {
		case w.brk == 2:
			w.b.WriteString("\n\n")
		case w.brk == 1:
			w.b.WriteByte('\n')
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.brk, w.space = 0, false
	w.b.WriteRune(r)
}

func (w *writer) String() string { return w.b.String() }

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u2007' || r == '\u202f'
}

// dropRune reports characters that have no place in plain text: controls
// (other than whitespace, handled before), zero-width characters, soft
// hyphens, byte order marks and the replacement character.
func dropRune(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u2060', '\ufeff', '\ufffd':
		return true
	}
	return unicode.IsControl(r) || (r >= 0xfff0 && r <= 0xffff) || unicode.Is(unicode.Co, r)
}
