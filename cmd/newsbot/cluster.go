package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/spf13/cobra"
)

func newClusterCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cluster",
		Short: `Group JSON Lines {"id","title","text","published"?} from stdin into stories: {"id","story"} per line`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var arts []briefing.Article
			err := jsonLines(cmd.InOrStdin(), func(line int, a inArticle) error {
				art := briefing.Article{ID: a.ID, Title: a.Title, Text: a.Text, URL: a.URL, Source: a.Publisher}
				if art.ID == "" {
					art.ID = fmt.Sprintf("line-%d", line)
				}
				if a.Published != "" {
					if t, err := time.Parse(time.RFC3339, a.Published); err == nil {
						art.Published = t
					}
				}
				arts = append(arts, art)
				return nil
			})
			if err != nil {
				return err
			}
			story := map[string]string{}
			for _, st := range briefing.New(briefing.Config{}).Group(arts) {
				for _, a := range st.Articles {
					story[a.ID] = st.ID
				}
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			enc := json.NewEncoder(out)
			for _, a := range arts {
				if err := enc.Encode(struct {
					ID    string `json:"id"`
					Story string `json:"story"`
				}{a.ID, story[a.ID]}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
