package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
)

// mysqlDialect serves MySQL 8.0+, Aurora MySQL 3 and MariaDB 10.6+, using
// only SQL that all of them accept: no INTERSECT (MySQL before 8.0.31), no
// RETURNING (MySQL), no expression indexes (MariaDB), no FULLTEXT (it
// cannot find short prefixes or stopwords). Search reads movie_words, a
// word index kept in Go, folded exactly as SQLite's FTS5 folds.
var mysqlDialect = &dialect{
	name:       "mysql",
	goose:      goose.DialectMySQL,
	migrations: "mysql",
	nocase:     "", // the columns' utf8mb4_unicode_ci collation ignores case
	nameOrder:  "name_sort, id",
	emailIs:    "email_key = LOWER(?)",
	genreList: `(SELECT GROUP_CONCAT(g.name SEPARATOR '` + "\x1f" + `')
	   FROM movie_genres mg JOIN genres g ON g.id = mg.genre_id
	  WHERE mg.movie_id = m.id)`,
	forceIndex:   func(index string) string { return " FORCE INDEX (" + index + ")" },
	indexesWords: true,

	// ON DUPLICATE KEY UPDATE x = x changes nothing, so it reports no row
	// affected, and unlike INSERT IGNORE it does not turn other errors
	// (a value too long) into warnings.
	insertSeededMark: "INSERT INTO app_meta (`key`, value) VALUES (?, 'yes') ON DUPLICATE KEY UPDATE value = value",
	insertGenre:      `INSERT INTO genres (name) VALUES (?) ON DUPLICATE KEY UPDATE id = id`,
	upsertKeyValue:   `INSERT INTO fiber_storage (k, v, e) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v), e = VALUES(e)`,
	suggestValueConflict: `
ON DUPLICATE KEY UPDATE movies = movies + VALUES(movies), popularity = GREATEST(popularity, VALUES(popularity))`,

	compileFilter:  compileWordFilter,
	titleStarts:    func(words []string) matcher { return titlePrefix{strings.Join(words, " ")} },
	titleCount:     "SELECT count(*) FROM movies WHERE name_sort = LOWER(?)",
	directorStarts: func(words []string) matcher { return directorPrefix{strings.Join(words, " ")} },
	// Through the longest word alone: MariaDB materializes the IN
	// subquery of each word before it intersects them ("steven s" took
	// 0.7-1.7 s at 100,000 movies); the suggestions' own check tests the
	// other words.
	directorHas: func(words []string) matcher {
		longest := slices.MaxFunc(words, func(a, b string) int { return utf8.RuneCountInString(a) - utf8.RuneCountInString(b) })
		return directorsOf{compileWordFilter(Filter{Director: longest})}
	},
	snapshot:         sql.LevelRepeatableRead,
	tableExistsSQL:   "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
	ignoreDuplicates: func(col string) string { return " ON DUPLICATE KEY UPDATE " + col + " = " + col },
	sameDatabase:     sameMySQLDatabase,
	reserveMovieIDs:  reserveMySQLMovieIDs,

	isDuplicate: func(err error) bool { return mysqlErrorNumber(err) == 1062 },
	// 1213: deadlock, 1205: lock wait timeout. InnoDB rolls the
	// transaction back; running it again is the documented remedy.
	isRetryable: func(err error) bool { n := mysqlErrorNumber(err); return n == 1213 || n == 1205 },
}

// The match_hash migration joins the dialect here, as SQLite's Go
// migrations do.
func init() { mysqlDialect.goMigrations = []*goose.Migration{mysqlMatchHash} }

func mysqlErrorNumber(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// IsMySQL reports whether a --db value names a MySQL database rather than
// a SQLite file.
func IsMySQL(dsn string) bool { return len(dsn) >= 8 && strings.EqualFold(dsn[:8], "mysql://") }

// isURL reports whether a --db value is a URL of some kind (scheme://),
// which fimdb must not take for a file name.
func isURL(dsn string) bool {
	scheme, _, found := strings.Cut(dsn, "://")
	return found && scheme != "" && !strings.ContainsAny(scheme, `/\.`)
}

// Redact is a --db value fit for logs and messages: a URL loses its
// password.
func Redact(dsn string) string {
	if !isURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a database URL that cannot be parsed)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.Redacted()
}

// sameMySQLDatabase reports whether two mysql:// URLs name one database.
func sameMySQLDatabase(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return false
	}
	addr := func(u *url.URL) string {
		port := u.Port()
		if port == "" {
			port = "3306"
		}
		return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	}
	return addr(ua) == addr(ub) && ua.Path == ub.Path
}

// reserveMySQLMovieIDs moves InnoDB's AUTO_INCREMENT past maxID. ALTER
// TABLE ... AUTO_INCREMENT would commit the copy half done (MySQL commits
// before DDL), but a row inserted with an id moves the counter past it for
// good, deleted or not (the counter survives restarts since MySQL 8.0 and
// MariaDB 10.2.4): so a placeholder goes in under maxID and out again.
func reserveMySQLMovieIDs(ctx context.Context, tx *sql.Tx, maxID, copiedID int64) error {
	if maxID <= copiedID {
		return nil // the copied rows moved AUTO_INCREMENT past it
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO movies (id, name, director, popularity, imdb_score, match_hash, created_at, updated_at)
VALUES (?, '', '', 0, 0, 0, '', '')`, maxID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM movies WHERE id = ?", maxID)
	return err
}

// sessionSettings are set on every connection, so that fimdb never depends
// on the server's defaults: strict mode (a value that does not fit is an
// error, not silently cut), UTC, genre lists longer than 1 KB, and a
// planner that picks join orders greedily. Each search word is a semi-join:
// weighing every order of twenty of them took MariaDB minutes (found by
// FuzzSuggest), and at 100,000 movies the greedy plan of "star w" took 25
// ms where the exhaustive one took 68.
var sessionSettings = map[string]string{
	"sql_mode":               "'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
	"time_zone":              "'+00:00'",
	"group_concat_max_len":   "1048576",
	"optimizer_search_depth": "1",
}

// mysqlConfig turns mysql://USER:PASSWORD@HOST[:PORT]/DBNAME?PARAMS into the
// driver's configuration. PARAMS pass through to the driver (tls=true,
// timeout=5s, ...). Errors never quote the URL: it holds the password.
func mysqlConfig(dsn string) (*mysql.Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, errors.New("the MySQL URL is not valid: write it as mysql://USER:PASSWORD@HOST:3306/DBNAME (percent-encode special characters in the password)")
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	switch {
	case u.Host == "":
		return nil, errors.New("the MySQL URL names no host: write it as mysql://USER:PASSWORD@HOST:3306/DBNAME")
	case dbName == "" || strings.Contains(dbName, "/"):
		return nil, errors.New("the MySQL URL names no database: write it as mysql://USER:PASSWORD@HOST:3306/DBNAME")
	case u.User == nil || u.User.Username() == "":
		return nil, errors.New("the MySQL URL names no user: write it as mysql://USER:PASSWORD@HOST:3306/DBNAME")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "3306")
	}
	params := u.Query()
	for _, p := range []struct{ key, value string }{{"charset", "utf8mb4"}, {"collation", "utf8mb4_unicode_ci"}} {
		if !params.Has(p.key) {
			params.Set(p.key, p.value)
		}
	}
	for k, v := range sessionSettings {
		params.Set(k, v)
	}
	cfg, err := mysql.ParseDSN("tcp(" + host + ")/" + dbName + "?" + params.Encode())
	if err != nil {
		return nil, fmt.Errorf("the MySQL URL's parameters are not valid: %v", err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	// fimdb reads "no row changed" from an upsert that changed nothing;
	// clientFoundRows=true in the URL would make it report one.
	cfg.ClientFoundRows = false
	return cfg, nil
}

// openMySQL connects to the database named by dsn (a mysql:// URL) and
// migrates it. Reads and writes share one pool: InnoDB runs writers side by
// side, and catalog writers queue on one row lock (see inCatalogTx).
func openMySQL(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("MySQL at %s: %v", cfg.Addr, err)
	}
	pool := sql.OpenDB(connector)
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	// Recycled now and then, so a failover (Aurora) or a proxy's idle
	// timeout never leaves the pool holding dead connections for long.
	pool.SetConnMaxLifetime(5 * time.Minute)
	pool.SetConnMaxIdleTime(time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, mysqlConnectError(cfg, err)
	}
	if err := migrateMySQL(ctx, pool, cfg.DBName); err != nil {
		pool.Close()
		return nil, mysqlConnectError(cfg, err)
	}
	return newStore(ctx, mysqlDialect, Redact(dsn), pool, pool, pool)
}

// mysqlConnectError says in one sentence why fimdb cannot use the database,
// naming the user, host and database but never the password.
func mysqlConnectError(cfg *mysql.Config, err error) error {
	where := fmt.Sprintf("database %q on the MySQL server at %s", cfg.DBName, cfg.Addr)
	var me *mysql.MySQLError
	var ne net.Error
	switch {
	case errors.As(err, &me) && (me.Number == 1045 || me.Number == 1044 || me.Number == 1698):
		return fmt.Errorf("MySQL refused user %q for %s: check the user name and password, and that the user may connect from this host (%s)", cfg.User, where, me.Message)
	case errors.As(err, &me) && me.Number == 1049:
		return fmt.Errorf("%s does not exist: create it first (CREATE DATABASE %s CHARACTER SET utf8mb4)", where, cfg.DBName)
	case errors.As(err, &me) && (me.Number == 1142 || me.Number == 1227 || me.Number == 1143):
		return fmt.Errorf("user %q lacks a privilege fimdb needs on %s (%s): grant it the privileges the README lists", cfg.User, where, me.Message)
	case errors.As(err, &me):
		return fmt.Errorf("%s: %s", where, me.Message)
	case errors.As(err, &ne):
		return fmt.Errorf("cannot reach the MySQL server at %s: %v", cfg.Addr, err)
	}
	return fmt.Errorf("%s: %v", where, err)
}

// migrateMySQL applies the schema under a server lock named after the
// database: MySQL commits each CREATE on its own, so two instances starting
// at once on an empty database must not both run the migrations.
func migrateMySQL(ctx context.Context, pool *sql.DB, dbName string) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	lock := "fimdb-migrate:" + dbName
	if len(lock) > 64 {
		lock = lock[:64] // MySQL's limit for lock names
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 300)", lock).Scan(&got); err != nil {
		return err
	}
	if got.Int64 != 1 {
		return errors.New("another fimdb has been migrating this database for five minutes; try again when it is done")
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", lock)
	return migrate(ctx, pool, mysqlDialect)
}

// titlePrefix matches the titles whose lowercase form starts with prefix:
// MySQL's word index keeps no word positions. Accents are not folded
// here; the suggestions' own check is.
type titlePrefix struct{ prefix string }

func (t titlePrefix) matchesSQL() (string, []any) {
	return "SELECT id FROM movies WHERE name_sort LIKE ?", []any{likePrefix(t.prefix)}
}

// directorPrefix matches the directors that start with prefix, ignoring
// case and accents (the column's collation).
type directorPrefix struct{ prefix string }

func (d directorPrefix) matchesSQL() (string, []any) {
	return "SELECT id FROM suggest_values WHERE field = 'director' AND value LIKE ?", []any{likePrefix(d.prefix)}
}

// likePrefix is the LIKE pattern of the values that start with p.
func likePrefix(p string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(p) + "%"
}

// wordFilter is the listing filter over movie_words: each query word is a
// range of folded words in one field.
type wordFilter struct {
	words []fieldWord
	genre string
}

type fieldWord struct{ field, word string }

func compileWordFilter(f Filter) filterSQL {
	out := wordFilter{genre: strings.TrimSpace(f.Genre)}
	for _, col := range []struct{ field, query string }{{"name", f.Name}, {"director", f.Director}} {
		words := foldAll(searchWords(col.query))
		slices.Sort(words)
		for _, w := range slices.Compact(words) {
			out.words = append(out.words, fieldWord{col.field, w})
		}
	}
	return out
}

func (f wordFilter) empty() bool { return len(f.words) == 0 && f.genre == "" }

func (f wordFilter) conds(walk bool) ([]string, []any) {
	var conds []string
	var args []any
	for _, w := range f.words {
		lo, hi := prefixRange(w.word)
		conds = append(conds, "id IN (SELECT movie_id FROM movie_words WHERE field = ? AND word >= ? AND word < ?)")
		args = append(args, w.field, lo, hi)
	}
	if f.genre != "" {
		conds = append(conds, genreCond(walk))
		args = append(args, f.genre)
	}
	return conds, args
}

func (f wordFilter) matchesSQL() (string, []any) {
	if len(f.words) == 1 && f.genre == "" {
		// One word alone is read from its index: an id IN (...) over
		// movies made MariaDB materialize the words' ids and probe movies
		// for each (4 to 70 times slower at 100,000 movies).
		lo, hi := prefixRange(f.words[0].word)
		return "SELECT DISTINCT movie_id FROM movie_words WHERE field = ? AND word >= ? AND word < ?",
			[]any{f.words[0].field, lo, hi}
	}
	conds, args := f.conds(false)
	return "SELECT id FROM movies" + joinWhere(conds), args
}

// pageIDsSQL: MySQL's word index holds no order, so pages are read from
// movies (see whereSQL).
func (f wordFilter) pageIDsSQL(Sort) (string, []any, bool) { return "", nil, false }

func (f wordFilter) whereSQL(walk bool) (string, []any) {
	conds, args := f.conds(walk)
	return joinWhere(conds), args
}
