package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"

	"github.com/newsbot/newsbot/briefing"
)

// StoryItem is one line of a story-grouping data set: an article and the
// gold story it belongs to.
type StoryItem struct {
	ID        string `json:"id"`
	Story     string `json:"story"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
}

// Article returns the item as an article. The publication time is left
// out on purpose: grouping is measured on the text alone.
func (it StoryItem) Article() briefing.Article {
	return briefing.Article{ID: it.ID, Title: it.Title, Text: it.Text, URL: it.URL, Source: it.Publisher}
}

// ReadStoryItems reads JSON Lines of story items. Lines without a story are
// an error naming the line.
func ReadStoryItems(r io.Reader) ([]StoryItem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []StoryItem
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var it StoryItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if it.Story == "" {
			return nil, fmt.Errorf("line %d: no story", line)
		}
		out = append(out, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}

// Half returns which half (0 or 1) of a fixed split a story falls in, by a
// hash of its label, so that whole stories stay together. Tuning on one
// half and checking on the other guards against fitting the data.
func Half(story string) int {
	f := fnv.New32a()
	f.Write([]byte(story))
	return int(f.Sum32() % 2)
}
