-- Directors are suggested like titles (suggest_pick.go): the ones starting
-- with the query and the ones having every query word through an index of
-- their names (directors_search, migration 17), and for broad queries by
-- walking the directors from the most prolific down. Their
-- words' rows, one per word of every director with four indexes over them,
-- were 219 MB of an IMDb-format million movies' 796 MB.

-- +goose Up
DROP TABLE suggest_words;
CREATE INDEX suggest_values_by_movies ON suggest_values (field, movies DESC);

-- +goose Down
-- An older release finds no words and suggests no directors until its own
-- backfill (migration 6) is run again by hand.
DROP INDEX suggest_values_by_movies;
CREATE TABLE suggest_words (
    value_id INTEGER NOT NULL REFERENCES suggest_values (id) ON DELETE CASCADE,
    word     TEXT    NOT NULL,
    field    TEXT    NOT NULL,
    first    INTEGER NOT NULL,
    rank     REAL    NOT NULL,
    words    TEXT    NOT NULL,
    PRIMARY KEY (value_id, word)
) WITHOUT ROWID;
CREATE INDEX suggest_words_by_word ON suggest_words (field, word, first DESC, rank DESC, words);
CREATE INDEX suggest_words_by_p1 ON suggest_words (field, substr(word, 1, 1), first DESC, rank DESC, words);
CREATE INDEX suggest_words_by_p2 ON suggest_words (field, substr(word, 1, 2), first DESC, rank DESC, words);
CREATE INDEX suggest_words_by_p3 ON suggest_words (field, substr(word, 1, 3), first DESC, rank DESC, words);
