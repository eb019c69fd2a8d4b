-- The catalog version and the genre counts are now kept by Go inside each
-- write transaction, the same way on SQLite and MySQL (where a foreign-key
-- cascade fires no trigger, so counts kept by triggers would drift). The
-- search index triggers stay: FTS5 is SQLite's own search.

-- +goose Up
DROP TRIGGER catalog_version_movie_insert;
DROP TRIGGER catalog_version_movie_update;
DROP TRIGGER catalog_version_movie_delete;
DROP TRIGGER catalog_version_genre_link;
DROP TRIGGER catalog_version_genre_unlink;
DROP TRIGGER genres_count_link;
DROP TRIGGER genres_count_unlink;

-- +goose Down
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
