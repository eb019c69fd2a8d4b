-- Adds a client sent with an Idempotency-Key, so that a retry of an add
-- whose answer was lost (a proxy timed out, an instance died) answers the
-- first add's result instead of adding the movie again. Kept for a day.

-- +goose Up
CREATE TABLE idempotency_keys (
    actor        TEXT NOT NULL,
    k            TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (actor, k)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
