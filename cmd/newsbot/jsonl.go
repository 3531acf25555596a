package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

func jsonLines[T any](r io.Reader, fn func(line int, v T) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := fn(n, v); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	return nil
}

type inArticle struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
}
