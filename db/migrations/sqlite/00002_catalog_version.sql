-- +goose Up
-- catalog_version counts changes to the catalog. The listing cache compares
-- it on every read; unlike PRAGMA data_version it does not move when
-- sessions or other non-catalog rows are written.
INSERT INTO app_meta (key, value) VALUES ('catalog_version', '0') ON CONFLICT (key) DO NOTHING;

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
-- +goose StatementBegin
CREATE TRIGGER catalog_version_genre_link AFTER INSERT ON movie_genres BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalog_version_genre_unlink AFTER DELETE ON movie_genres BEGIN
    UPDATE app_meta SET value = value + 1 WHERE key = 'catalog_version';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER catalog_version_genre_unlink;
DROP TRIGGER catalog_version_genre_link;
DROP TRIGGER catalog_version_movie_delete;
DROP TRIGGER catalog_version_movie_update;
DROP TRIGGER catalog_version_movie_insert;
DELETE FROM app_meta WHERE key = 'catalog_version';
