-- The number of movies, kept by Go beside the catalog version: every
-- uncached listing needs it, and counting the movies table each time costs
-- a scan of an index.

-- +goose Up
INSERT INTO app_meta (key, value) SELECT 'catalog_size', count(*) FROM movies;

-- +goose Down
DELETE FROM app_meta WHERE key = 'catalog_size';
