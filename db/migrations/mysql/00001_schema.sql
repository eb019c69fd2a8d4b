-- fimdb's schema on MySQL 8.0+, Aurora MySQL 3 and MariaDB 10.6+: the same
-- tables and columns as the SQLite migrations end with, so `fimdb copy` moves
-- rows across unchanged. What differs, and why:
--
-- * Text that SQLite compares with COLLATE NOCASE uses utf8mb4_unicode_ci
--   (on both MySQL and MariaDB): case-insensitive, and accent-insensitive
--   too. Folded words (suggest_words.word, movie_words.word) and match_key
--   are computed in Go and compared byte for byte (utf8mb4_bin).
-- * Search reads movie_words, a word index that Go keeps (see
--   db/dialect_mysql.go): InnoDB FULLTEXT cannot find one- and two-letter
--   prefixes or stopwords such as "the", which live search must find.
-- * No triggers: catalog_version, genre counts and the search index are
--   written by Go in each write transaction, the same way on both backends
--   (MySQL fires no trigger for rows a foreign-key cascade removes, and
--   creating triggers needs privileges Aurora withholds with binary logs on).
-- * Timestamps are ISO 8601 text written by Go, as on SQLite.
-- * An index entry holds at most 3072 bytes (4 per character), so the
--   suggest_words indexes leave out the words column that SQLite's carry.
--
-- MySQL commits each CREATE on its own; fimdb serializes migrations with
-- GET_LOCK, so concurrent first starts cannot interleave them.

-- +goose Up
CREATE TABLE movies (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(300) NOT NULL,
    director    VARCHAR(300) NOT NULL,
    popularity  DOUBLE       NOT NULL,
    imdb_score  DOUBLE       NOT NULL,
    match_key   VARCHAR(610) COLLATE utf8mb4_bin NOT NULL,
    version     BIGINT       NOT NULL DEFAULT 1,
    created_at  VARCHAR(30)  NOT NULL,
    updated_at  VARCHAR(30)  NOT NULL,
    -- The title order: lowercase, then code point by code point, as SQLite
    -- orders name COLLATE NOCASE (utf8mb4_unicode_ci would put "Amélie"
    -- before "American").
    name_sort   VARCHAR(300) COLLATE utf8mb4_bin GENERATED ALWAYS AS (LOWER(name)) STORED,
    INDEX movies_by_score (imdb_score DESC, id),
    INDEX movies_by_popularity (popularity DESC, id),
    INDEX movies_by_name (name_sort, id),
    INDEX movies_by_match_key (match_key),
    INDEX movies_by_director (director)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE genres (
    id     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name   VARCHAR(300) NOT NULL,
    movies BIGINT       NOT NULL DEFAULT 0,
    UNIQUE INDEX genres_by_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE movie_genres (
    movie_id BIGINT NOT NULL,
    genre_id BIGINT NOT NULL,
    PRIMARY KEY (movie_id, genre_id),
    INDEX movie_genres_by_genre (genre_id, movie_id),
    CONSTRAINT movie_genres_movie FOREIGN KEY (movie_id) REFERENCES movies (id) ON DELETE CASCADE,
    CONSTRAINT movie_genres_genre FOREIGN KEY (genre_id) REFERENCES genres (id) ON DELETE RESTRICT
) ENGINE = InnoDB;

-- Every folded word of each movie's title (field 'name') and director, once
-- per movie: word-prefix search is a range scan of the primary key.
CREATE TABLE movie_words (
    field    VARCHAR(8)   COLLATE ascii_bin NOT NULL,
    word     VARCHAR(300) COLLATE utf8mb4_bin NOT NULL,
    movie_id BIGINT       NOT NULL,
    PRIMARY KEY (field, word, movie_id),
    INDEX movie_words_by_movie (movie_id),
    CONSTRAINT movie_words_movie FOREIGN KEY (movie_id) REFERENCES movies (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE app_meta (
    `key` VARCHAR(64)  COLLATE ascii_bin NOT NULL PRIMARY KEY,
    value VARCHAR(255) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT INTO app_meta (`key`, value) VALUES ('catalog_version', '0');

-- Emails compare ignoring case only: utf8mb4_unicode_ci would also ignore
-- accents and invisible characters, so "ad\u200Bmin@" would reach admin@'s
-- account under a sign-in throttle key of its own.
CREATE TABLE users (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email         VARCHAR(320) COLLATE utf8mb4_bin NOT NULL,
    email_key     VARCHAR(320) COLLATE utf8mb4_bin GENERATED ALWAYS AS (LOWER(email)) STORED,
    password_hash VARCHAR(100) COLLATE ascii_bin NOT NULL,
    role          VARCHAR(8)   NOT NULL DEFAULT 'user',
    created_at    VARCHAR(30)  NOT NULL,
    updated_at    VARCHAR(30)  NOT NULL,
    UNIQUE INDEX users_by_email (email_key),
    CONSTRAINT users_role CHECK (role IN ('user', 'admin'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE api_tokens (
    id         BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    BIGINT      NOT NULL,
    token_hash CHAR(64)    COLLATE ascii_bin NOT NULL,
    created_at VARCHAR(30) NOT NULL,
    revoked_at VARCHAR(30),
    UNIQUE INDEX api_tokens_by_hash (token_hash),
    INDEX api_tokens_by_user (user_id),
    CONSTRAINT api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE audit_log (
    id       BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    movie_id BIGINT       NOT NULL,
    actor    VARCHAR(320) NOT NULL,
    action   VARCHAR(8)   NOT NULL,
    at       VARCHAR(30)  NOT NULL,
    `before` MEDIUMTEXT,
    `after`  MEDIUMTEXT,
    INDEX audit_log_by_movie (movie_id, id),
    CONSTRAINT audit_log_action CHECK (action IN ('create', 'update', 'delete', 'restore'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE suggest_values (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    field      VARCHAR(8)   COLLATE ascii_bin NOT NULL,
    value      VARCHAR(300) NOT NULL,
    movies     BIGINT       NOT NULL,
    popularity DOUBLE       NOT NULL,
    UNIQUE INDEX suggest_values_by_value (field, value)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- p1, p2 and p3 stand in for SQLite's indexes on substr(word, 1, n), which
-- MariaDB cannot index directly.
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

-- Sessions and sign-in throttling (db/keyvalue.go), in the shape
-- gofiber/storage gives this table, with room for longer keys.
CREATE TABLE fiber_storage (
    k VARCHAR(512) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    v BLOB         NOT NULL,
    e BIGINT       NOT NULL DEFAULT 0,
    INDEX fiber_storage_by_expiry (e)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE fiber_storage;
DROP TABLE suggest_words;
DROP TABLE suggest_values;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE app_meta;
DROP TABLE movie_words;
DROP TABLE movie_genres;
DROP TABLE genres;
DROP TABLE movies;
