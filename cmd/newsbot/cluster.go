package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/newsbot/newsbot/briefing"
	"github.com/spf13/cobra"
)

func newClusterCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cluster",
		Short: `Group JSON Lines {"id","title","text","published"?} from stdin into stories: {"id","story"} per line`,
		Long: `Reads one article per line, {"id","title","text"} (other fields such as
"published" and "url" are accepted and ignored: grouping reads the text), and
writes one line {"id","story"} per article in the same order. Articles of the
same story share the story label, which is the key of the story's lead
article. A line that is not a JSON object is an error naming the line, and
nothing is written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ids []string
			var arts []briefing.Article
			err := jsonLines(cmd.InOrStdin(), func(_ int, a inArticle) error {
				// The position identifies the article inside Group:
				// input IDs may be empty or repeated.
				arts = append(arts, briefing.Article{ID: strconv.Itoa(len(arts)), Title: a.Title, Text: a.Text, URL: a.URL})
				ids = append(ids, a.ID)
				return nil
			})
			if err != nil {
				return fmt.Errorf("cluster: %w", err)
			}
			story := make([]string, len(arts))
			for _, st := range briefing.New(briefing.Config{}).Group(arts) {
				for _, a := range st.Articles {
					i, err := strconv.Atoi(a.ID)
					if err != nil {
						return fmt.Errorf("cluster: lost track of article %q", a.ID)
					}
					story[i] = st.ID
				}
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			for i := range arts {
				if err := enc.Encode(struct {
					ID    string `json:"id"`
					Story string `json:"story"`
				}{ids[i], story[i]}); err != nil {
					return fmt.Errorf("cluster: %w", err)
				}
			}
			if err := out.Flush(); err != nil {
				return fmt.Errorf("cluster: %w", err)
			}
			return nil
		},
	}
}
