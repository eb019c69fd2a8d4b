-- +goose Up
CREATE TABLE movies (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    director    TEXT    NOT NULL,
    popularity  REAL    NOT NULL,
    imdb_score  REAL    NOT NULL,
    -- match_key is lower(name) + US + lower(director), computed in Go with full
    -- Unicode case folding, so imports can skip duplicates "ignoring case".
    match_key   TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One index per sort order, each ending in the tie-breaker so paging is stable.
CREATE INDEX movies_by_score      ON movies (imdb_score DESC, id);
CREATE INDEX movies_by_popularity ON movies (popularity DESC, id);
CREATE INDEX movies_by_name       ON movies (name COLLATE NOCASE, id);
CREATE INDEX movies_by_match_key  ON movies (match_key);

CREATE TABLE genres (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE movie_genres (
    movie_id INTEGER NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    genre_id INTEGER NOT NULL REFERENCES genres (id) ON DELETE RESTRICT,
    PRIMARY KEY (movie_id, genre_id)
) WITHOUT ROWID;

CREATE INDEX movie_genres_by_genre ON movie_genres (genre_id, movie_id);

-- External-content FTS5 index over name and director. unicode61 with
-- remove_diacritics folds case and accents; the prefix indexes make the
-- word-prefix queries of live search index lookups instead of term scans.
CREATE VIRTUAL TABLE movies_fts USING fts5 (
    name,
    director,
    content = 'movies',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

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

-- Key/value facts about this database, such as whether the bundled catalog
-- has been loaded (so a restart never loads it twice).
CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE app_meta;
DROP TRIGGER movies_fts_update;
DROP TRIGGER movies_fts_delete;
DROP TRIGGER movies_fts_insert;
DROP TABLE movies_fts;
DROP TABLE movie_genres;
DROP TABLE genres;
DROP TABLE movies;
