-- A search index of the directors in suggest_values, so that autocomplete
-- finds the directors having every query word ("spielb", "steven s") in
-- the few hundred thousand names instead of through the movies: at a
-- million movies that read up to 2,000 movies' rows per keystroke (25-45
-- ms). Contentless, as movies_search is; a director's name never changes
-- once indexed (an upsert only counts movies), so inserts and deletes are
-- all the triggers keep.

-- +goose Up
CREATE VIRTUAL TABLE directors_search USING fts5 (
    value,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO directors_search (rowid, value) SELECT id, value FROM suggest_values WHERE field = 'director';

-- +goose StatementBegin
CREATE TRIGGER directors_search_insert AFTER INSERT ON suggest_values WHEN new.field = 'director' BEGIN
    INSERT INTO directors_search (rowid, value) VALUES (new.id, new.value);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER directors_search_delete AFTER DELETE ON suggest_values WHEN old.field = 'director' BEGIN
    DELETE FROM directors_search WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER directors_search_delete;
DROP TRIGGER directors_search_insert;
DROP TABLE directors_search;
