-- newsbot schema, version 2: canonical URLs are looked up through a
-- full-text index instead of a b-tree index.
--
-- A b-tree index on URLs receives every new article at a random place, so
-- at a million articles each one dirtied a page of its own (8 KiB written
-- to the WAL and again at the checkpoint). An FTS5 index appends each
-- batch as a small new segment and merges segments in the background of
-- later writes. Every printable ASCII character except quotes is a token
-- character, so a URL is one token; the store indexes 'u' || url (a
-- never-empty first token) and re-checks articles.canonical_url exactly.

-- +goose Up
CREATE VIRTUAL TABLE article_urls USING fts5 (
	url,
	content = '',
	contentless_delete = 1,
	tokenize = "ascii tokenchars '!#$%&()*+,-./:;<=>?@[\]^_`{|}~'"
);
INSERT INTO article_urls (rowid, url)
	SELECT id, 'u' || canonical_url FROM articles WHERE canonical_url <> '' ORDER BY id;
DROP INDEX articles_canonical_url;

-- +goose Down
CREATE INDEX articles_canonical_url ON articles (canonical_url) WHERE canonical_url <> '';
DROP TABLE article_urls;
