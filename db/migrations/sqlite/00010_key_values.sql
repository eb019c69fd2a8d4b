-- Sessions and sign-in throttling, in the shape gofiber/storage/sqlite3
-- gave this table when it created it on start (databases made by earlier
-- releases have it already): fimdb now keeps it itself (db/keyvalue.go).

-- +goose Up
CREATE TABLE IF NOT EXISTS fiber_storage (
    k VARCHAR(64) PRIMARY KEY NOT NULL DEFAULT '',
    v BLOB NOT NULL,
    e BIGINT NOT NULL DEFAULT '0'
);
CREATE INDEX IF NOT EXISTS e ON fiber_storage (e);

-- +goose Down
-- Kept: earlier releases expect the table to be there.
SELECT 1;
