-- +goose Up
-- Autocomplete reads these instead of grouping matching movies, so a
-- suggestion costs the same with 246 movies or a million.
--
-- suggest_values: each distinct title and director (ignoring case) with its
-- movie count and best popularity. suggest_words: each folded word of those
-- values (lowercase, accents removed, exactly as Go's db.Fold does it), with
-- the value's rank copied in so one index walk returns the best values for a
-- word in order. Both are kept by the Go code that writes movies (db/suggest_index.go)
-- because SQLite cannot fold accents the way the search does.
CREATE TABLE suggest_values (
    id         INTEGER PRIMARY KEY,
    field      TEXT    NOT NULL CHECK (field IN ('name', 'director')),
    value      TEXT    NOT NULL,
    movies     INTEGER NOT NULL,
    popularity REAL    NOT NULL
);
CREATE UNIQUE INDEX suggest_values_by_value ON suggest_values (field, value COLLATE NOCASE);

-- first is 1 when the word opens the value: those rank first ("whole-value
-- prefix"). rank is popularity for titles and the movie count for directors.
-- words is every folded word of the value, each after a space (" dark star
-- 12"), so the other words of a query are checked inside the index walk
-- (instr(words, ' sta')) instead of by one lookup per row.
CREATE TABLE suggest_words (
    value_id INTEGER NOT NULL REFERENCES suggest_values (id) ON DELETE CASCADE,
    word     TEXT    NOT NULL,
    field    TEXT    NOT NULL,
    first    INTEGER NOT NULL,
    rank     REAL    NOT NULL,
    words    TEXT    NOT NULL,
    PRIMARY KEY (value_id, word)
) WITHOUT ROWID;

-- Exact words in rank order, for prefixes that match few distinct words.
CREATE INDEX suggest_words_by_word ON suggest_words (field, word, first DESC, rank DESC, words);
-- The best values for a one-, two- or three-letter prefix, in rank order,
-- for prefixes that match many distinct words ("s", "th", "199").
CREATE INDEX suggest_words_by_p1 ON suggest_words (field, substr(word, 1, 1), first DESC, rank DESC, words);
CREATE INDEX suggest_words_by_p2 ON suggest_words (field, substr(word, 1, 2), first DESC, rank DESC, words);
CREATE INDEX suggest_words_by_p3 ON suggest_words (field, substr(word, 1, 3), first DESC, rank DESC, words);

-- Removing a title's last movie recomputes its best popularity; this lets
-- the director side do the same by index.
CREATE INDEX movies_by_director ON movies (director COLLATE NOCASE);

-- Genre movie counts, kept by triggers (no folding needed), so genre
-- suggestions read about thirty rows instead of counting every link.
ALTER TABLE genres ADD COLUMN movies INTEGER NOT NULL DEFAULT 0;
UPDATE genres SET movies = (SELECT count(*) FROM movie_genres WHERE genre_id = genres.id);

-- +goose StatementBegin
CREATE TRIGGER genres_count_link AFTER INSERT ON movie_genres BEGIN
    UPDATE genres SET movies = movies + 1 WHERE id = new.genre_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER genres_count_unlink AFTER DELETE ON movie_genres BEGIN
    UPDATE genres SET movies = movies - 1 WHERE id = old.genre_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER genres_count_unlink;
DROP TRIGGER genres_count_link;
ALTER TABLE genres DROP COLUMN movies;
DROP INDEX movies_by_director;
DROP TABLE suggest_words;
DROP TABLE suggest_values;
