-- Directors are suggested like titles (suggest_pick.go): the ones starting with
-- the query from a range of suggest_values_by_value, the ones having every
-- query word through movie_words, and for broad queries by walking the
-- directors from the most prolific down. Their words' rows, one per word
-- of every director with four indexes over them, are no longer kept.

-- +goose Up
DROP TABLE suggest_words;
CREATE INDEX suggest_values_by_movies ON suggest_values (field, movies DESC);

-- +goose Down
-- An older release finds no words and suggests no directors.
DROP INDEX suggest_values_by_movies ON suggest_values;
CREATE TABLE suggest_words (
    value_id BIGINT       NOT NULL,
    word     VARCHAR(300) COLLATE utf8mb4_bin NOT NULL,
    field    VARCHAR(8)   COLLATE ascii_bin NOT NULL,
    first    TINYINT      NOT NULL,
    `rank`   DOUBLE       NOT NULL,
    words    VARCHAR(1000) COLLATE utf8mb4_bin NOT NULL,
    p1       VARCHAR(1)   COLLATE utf8mb4_bin GENERATED ALWAYS AS (LEFT(word, 1)) STORED,
    p2       VARCHAR(2)   COLLATE utf8mb4_bin GENERATED ALWAYS AS (LEFT(word, 2)) STORED,
    p3       VARCHAR(3)   COLLATE utf8mb4_bin GENERATED ALWAYS AS (LEFT(word, 3)) STORED,
    PRIMARY KEY (value_id, word),
    INDEX suggest_words_by_word (field, word, first DESC, `rank` DESC),
    INDEX suggest_words_by_p1 (field, p1, first DESC, `rank` DESC),
    INDEX suggest_words_by_p2 (field, p2, first DESC, `rank` DESC),
    INDEX suggest_words_by_p3 (field, p3, first DESC, `rank` DESC),
    CONSTRAINT suggest_words_value FOREIGN KEY (value_id) REFERENCES suggest_values (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
