-- What IMDb's datasets add to a movie: its tconst (so a second import of
-- them updates what the first added), the year, the runtime and the number
-- of votes behind the score. NULL where unknown; movies added by hand or
-- from fimdb's JSON have none of them. A unique index allows many NULLs.

-- +goose Up
ALTER TABLE movies
    ADD COLUMN imdb_id         VARCHAR(16) COLLATE ascii_bin NULL,
    ADD COLUMN year            SMALLINT NULL,
    ADD COLUMN runtime_minutes INT NULL,
    ADD COLUMN votes           BIGINT NULL,
    ADD UNIQUE INDEX movies_by_imdb_id (imdb_id);

-- +goose Down
ALTER TABLE movies
    DROP INDEX movies_by_imdb_id,
    DROP COLUMN votes,
    DROP COLUMN runtime_minutes,
    DROP COLUMN year,
    DROP COLUMN imdb_id;
