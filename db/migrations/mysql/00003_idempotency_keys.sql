-- Adds a client sent with an Idempotency-Key, so that a retry of an add
-- whose answer was lost (a proxy timed out, an instance died) answers the
-- first add's result instead of adding the movie again. Kept for a day.
-- Keys compare byte for byte, as clients send them.

-- +goose Up
CREATE TABLE idempotency_keys (
    actor        VARCHAR(320) COLLATE utf8mb4_bin NOT NULL,
    k            VARCHAR(255) COLLATE ascii_bin NOT NULL,
    request_hash CHAR(64)     COLLATE ascii_bin NOT NULL,
    response     MEDIUMTEXT   NOT NULL,
    created_at   VARCHAR(30)  NOT NULL,
    PRIMARY KEY (actor, k),
    INDEX idempotency_keys_by_age (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE idempotency_keys;
