-- +goose Up
-- Every change an administrator makes to the catalog, with the movie as it
-- was and as it became (JSON; NULL before a create and after a delete).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    movie_id   INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    before     TEXT,
    after      TEXT
);

CREATE INDEX audit_log_by_movie ON audit_log (movie_id, id);

-- +goose Down
DROP TABLE audit_log;
