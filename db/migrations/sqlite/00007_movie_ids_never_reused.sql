-- Movie ids are never handed out twice. With a plain INTEGER PRIMARY KEY
-- SQLite gives a new row max(id) + 1, so deleting the newest movie and
-- adding another reused its id: Undo of the first then failed and the audit
-- log mixed two movies' histories. AUTOINCREMENT keeps the highest id ever
-- used in sqlite_sequence. SQLite cannot add it to an existing table, so
-- movies is rebuilt the way https://sqlite.org/lang_altertable.html#otheralter
-- says, keeping every id, and everything that hung on the old table (its
-- indexes and the triggers that feed the search index and count catalog
-- changes) is made again exactly as migrations 1, 2 and 5 made it.
--
-- foreign_keys must be off during the rebuild: with it on, DROP TABLE
-- movies deletes every row first, and ON DELETE CASCADE would empty
-- movie_genres. The pragma is a no-op inside a transaction, hence NO
-- TRANSACTION and an explicit BEGIN ... COMMIT: goose runs all of a file's
-- statements on one connection (the store's single writer), and a failure
-- closes it, rolling the transaction back. movies_new is renamed, never
-- movies: renaming movies itself would rewrite movie_genres' REFERENCES
-- movies to the old name.
--
-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE movies_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO movies_new (id, name, director, popularity, imdb_score, match_key, version, created_at, updated_at)
    SELECT id, name, director, popularity, imdb_score, match_key, version, created_at, updated_at FROM movies;
-- Drops the indexes and triggers on movies with it. The external-content
-- FTS5 table names movies only as text: its index keeps the same rowids.
DROP TABLE movies;
ALTER TABLE movies_new RENAME TO movies;

CREATE INDEX movies_by_score      ON movies (imdb_score DESC, id);
CREATE INDEX movies_by_popularity ON movies (popularity DESC, id);
CREATE INDEX movies_by_name       ON movies (name COLLATE NOCASE, id);
CREATE INDEX movies_by_match_key  ON movies (match_key);
CREATE INDEX movies_by_director ON movies (director COLLATE NOCASE);

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
-- +goose StatementBegin
CREATE TRIGGER catalog_version_movie_insert AFTER INSERT ON movies BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalog_version_movie_update AFTER UPDATE ON movies BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalog_version_movie_delete AFTER DELETE ON movies BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd

-- Ids handed out before this migration and deleted since are not reused
-- either: the audit log remembers every movie an administrator created or
-- deleted.
DELETE FROM sqlite_sequence WHERE name IN ('movies', 'movies_new');
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'movies', max(coalesce((SELECT max(id) FROM movies), 0), coalesce((SELECT max(movie_id) FROM audit_log), 0));

-- Every genre link still points at a movie (the CHECK fails the migration,
-- and so rolls it back, if one does not).
CREATE TEMP TABLE movies_rebuild_check (dangling_links INTEGER CHECK (dangling_links = 0));
INSERT INTO movies_rebuild_check SELECT count(*) FROM pragma_foreign_key_check('movie_genres');
DROP TABLE movies_rebuild_check;

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE movies_new (
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
INSERT INTO movies_new (id, name, director, popularity, imdb_score, match_key, version, created_at, updated_at)
    SELECT id, name, director, popularity, imdb_score, match_key, version, created_at, updated_at FROM movies;
DROP TABLE movies;
ALTER TABLE movies_new RENAME TO movies;
DELETE FROM sqlite_sequence WHERE name IN ('movies', 'movies_new');

CREATE INDEX movies_by_score      ON movies (imdb_score DESC, id);
CREATE INDEX movies_by_popularity ON movies (popularity DESC, id);
CREATE INDEX movies_by_name       ON movies (name COLLATE NOCASE, id);
CREATE INDEX movies_by_match_key  ON movies (match_key);
CREATE INDEX movies_by_director ON movies (director COLLATE NOCASE);

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
-- +goose StatementBegin
CREATE TRIGGER catalog_version_movie_insert AFTER INSERT ON movies BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalog_version_movie_update AFTER UPDATE ON movies BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalog_version_movie_delete AFTER DELETE ON movies BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd

COMMIT;
PRAGMA foreign_keys = ON;
