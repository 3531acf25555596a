package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/memory"
)

// newConfigCmd is the parent of the config subcommands.
func newConfigCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Work with the configuration file",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newConfigCheckCmd(g), newConfigPrintCmd(g), newConfigExportCmd(g))
	return c
}

func newConfigExportCmd(g *globals) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "export [--output FILE]",
		Short: "Write the topics and subscriptions in effect (config file + chat changes) as config YAML",
		Long: "export writes the topics and subscriptions the bot runs with: those declared in the config file\n" +
			"and those made in chat (from the store at storage.dsn), as the topics: and subscriptions:\n" +
			"sections of a config file. Put them in newsbot.yaml to keep chat changes under version control.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath)
			if err != nil {
				return err
			}
			var out bytesWriter
			if err := exportConfig(cmd.Context(), cfg, &out); err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err = cmd.OutOrStdout().Write(out.b)
				return err
			}
			if err := os.WriteFile(output, out.b, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", output, err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", output)
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	return c
}

type bytesWriter struct{ b []byte }

func (w *bytesWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// exportTopic and exportSub are the config file's topic and subscription
// entries, in YAML.
type exportTopic struct {
	Channel string   `yaml:"channel"`
	Name    string   `yaml:"name"`
	Query   string   `yaml:"query"`
	Sources []string `yaml:"sources,omitempty,flow"`
}

type exportSub struct {
	Channel  string `yaml:"channel"`
	Topic    string `yaml:"topic"`
	At       string `yaml:"at"`
	TimeZone string `yaml:"tz"`
	Days     string `yaml:"days"`
	Max      int    `yaml:"max,omitempty"`
}

// exportConfig writes the effective topics and subscriptions of cfg and
// the store at storage.dsn to w. It does not create the store if it does
// not exist yet, and changes nothing in it.
func exportConfig(ctx context.Context, cfg config.Config, w io.Writer) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var store bot.Store = memory.New()
	if storeExists(cfg.Storage.DSN) {
		st, err := app.OpenStore(ctx, cfg.Storage.DSN, app.StoreOptions{Logger: log, Conns: 2})
		if err != nil {
			return err
		}
		defer st.Close()
		store = st
	}
	b, err := bot.New(store, app.BotConfig(cfg, log))
	if err != nil {
		return err
	}
	dt, ds, err := app.Declared(cfg)
	if err != nil {
		return err
	}
	topics, subs, err := b.Effective(ctx, dt, ds)
	if err != nil {
		return err
	}
	return writeExport(w, topics, subs)
}

// storeExists reports whether dsn names a database that exists: a file,
// or any PostgreSQL database (opening it creates newsbot's tables if they
// are missing, as every command does).
func storeExists(dsn string) bool {
	if storage.IsPostgres(dsn) {
		return true
	}
	if strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		return false
	}
	path := strings.TrimPrefix(dsn, "file:")
	path, _, _ = strings.Cut(path, "?")
	_, err := os.Stat(path)
	return err == nil
}

func writeExport(w io.Writer, topics []bot.Topic, subs []bot.Subscription) error {
	origin := func(o string) string {
		if o == bot.OriginConfig || o == "" {
			return ""
		}
		return "made in chat (" + o + ")"
	}
	topicSeq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, t := range topics {
		var n yaml.Node
		if err := n.Encode(exportTopic{Channel: t.Channel.String(), Name: t.Name, Query: t.Query, Sources: t.Sources}); err != nil {
			return fmt.Errorf("export topic %s: %w", t.Name, err)
		}
		n.HeadComment = origin(t.Origin)
		topicSeq.Content = append(topicSeq.Content, &n)
	}
	subSeq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range subs {
		var n yaml.Node
		e := exportSub{Channel: s.Channel.String(), Topic: s.Topic, At: s.At, TimeZone: s.TimeZone, Days: bot.FormatDays(s.Days), Max: s.Max}
		if err := n.Encode(e); err != nil {
			return fmt.Errorf("export subscription %s: %w", s.ID(), err)
		}
		n.HeadComment = origin(s.Origin)
		subSeq.Content = append(subSeq.Content, &n)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "topics", HeadComment: "Topics and subscriptions in effect: the config file's and those made in chat.\n" +
			"Replace the topics: and subscriptions: sections of newsbot.yaml with these to keep the chat changes."},
		topicSeq,
		{Kind: yaml.ScalarNode, Value: "subscriptions"},
		subSeq,
	}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
