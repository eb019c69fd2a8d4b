-- What IMDb's datasets add to a movie: its tconst (so a second import of
-- them updates what the first added), the year, the runtime and the number
-- of votes behind the score. NULL where unknown; movies added by hand or
-- from fimdb's JSON have none of them.

-- +goose Up
ALTER TABLE movies ADD COLUMN imdb_id TEXT;
ALTER TABLE movies ADD COLUMN year INTEGER;
ALTER TABLE movies ADD COLUMN runtime_minutes INTEGER;
ALTER TABLE movies ADD COLUMN votes INTEGER;
CREATE UNIQUE INDEX movies_by_imdb_id ON movies (imdb_id) WHERE imdb_id IS NOT NULL;

-- +goose Down
DROP INDEX movies_by_imdb_id;
ALTER TABLE movies DROP COLUMN votes;
ALTER TABLE movies DROP COLUMN runtime_minutes;
ALTER TABLE movies DROP COLUMN year;
ALTER TABLE movies DROP COLUMN imdb_id;
