-- The search index hands out its matches in the listing's default order,
-- so that a page of a broad search ("s" matches a third of a million
-- movies) is its first fifty matches instead of a sort of all of them.
--
-- FTS5 returns matches in rowid order, so each movie's row in the index is
-- keyed by its score and then its id (see searchKeySQL in dialect_sqlite.go):
--   ((1000 - round(imdb_score * 100)) << 32) | id
-- which sorts by score descending, then id. Scores are kept to two decimals
-- (NewMovie.Normalize rounds them) so that this order is exactly the
-- listing's "imdb_score DESC, id". The index is contentless: it holds the
-- words and the key, not a second copy of the titles.

-- +goose Up
DROP TRIGGER movies_fts_insert;
DROP TRIGGER movies_fts_delete;
DROP TRIGGER movies_fts_update;
DROP TABLE movies_fts;

UPDATE movies SET imdb_score = round(imdb_score, 2) WHERE imdb_score <> round(imdb_score, 2);

CREATE VIRTUAL TABLE movies_search USING fts5 (
    name,
    director,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO movies_search (rowid, name, director)
    SELECT ((1000 - CAST(round(imdb_score * 100) AS INTEGER)) << 32) | id, name, director FROM movies;

-- +goose StatementBegin
CREATE TRIGGER movies_search_insert AFTER INSERT ON movies BEGIN
    INSERT INTO movies_search (rowid, name, director)
    VALUES (((1000 - CAST(round(new.imdb_score * 100) AS INTEGER)) << 32) | new.id, new.name, new.director);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER movies_search_delete AFTER DELETE ON movies BEGIN
    DELETE FROM movies_search WHERE rowid = ((1000 - CAST(round(old.imdb_score * 100) AS INTEGER)) << 32) | old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER movies_search_update AFTER UPDATE OF name, director, imdb_score ON movies BEGIN
    DELETE FROM movies_search WHERE rowid = ((1000 - CAST(round(old.imdb_score * 100) AS INTEGER)) << 32) | old.id;
    INSERT INTO movies_search (rowid, name, director)
    VALUES (((1000 - CAST(round(new.imdb_score * 100) AS INTEGER)) << 32) | new.id, new.name, new.director);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER movies_search_update;
DROP TRIGGER movies_search_delete;
DROP TRIGGER movies_search_insert;
DROP TABLE movies_search;

CREATE VIRTUAL TABLE movies_fts USING fts5 (
    name,
    director,
    content = 'movies',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO movies_fts (movies_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER movies_fts_insert AFTER INSERT ON movies BEGIN
    INSERT INTO movies_fts (rowid, name, director) VALUES (new.id, new.name, new.director);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER movies_fts_delete AFTER DELETE ON movies BEGIN
    INSERT INTO movies_fts (movies_fts, rowid, name, director) VALUES ('delete', old.id, old.name, old.director);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER movies_fts_update AFTER UPDATE OF name, director ON movies BEGIN
    INSERT INTO movies_fts (movies_fts, rowid, name, director) VALUES ('delete', old.id, old.name, old.director);
    INSERT INTO movies_fts (rowid, name, director) VALUES (new.id, new.name, new.director);
END;
-- +goose StatementEnd
