-- Titles are suggested from the movies themselves (suggest_titles.go):
-- their rows in the autocomplete tables, one per word of every distinct
-- title with four indexes over them, were 1.2 GB of a million movies'
-- 1.7 GB. Directors keep theirs: few, and ranked by how many movies each
-- made, which the movies table cannot answer quickly.

-- +goose Up
DELETE FROM suggest_words WHERE field = 'name';
DELETE FROM suggest_values WHERE field = 'name';

-- +goose Down
-- An older release finds no titles in the tables and suggests none until
-- its own backfill (migration 6) is run again by hand.
SELECT 1;
