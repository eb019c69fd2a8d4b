package handlers

import (
	"time"

	"fimdb/db"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/storage/mysql/v2"
	"github.com/gofiber/storage/sqlite3/v2"
)

// sharedStorage keeps sessions and sign-in throttling in fimdb's own
// database, on the store's connection pool: every instance on one MySQL
// database shares them, so a session and a count of failed sign-ins hold
// whichever instance a request reaches.
func sharedStorage(store *db.Store) fiber.Storage {
	const table, gc = "fiber_storage", time.Minute
	if store.Backend() == "mysql" {
		return mysql.New(mysql.Config{Db: store.DB(), Table: table, GCInterval: gc})
	}
	return sqlite3.NewFromConnection(store.DB(), sqlite3.Config{Table: table, GCInterval: gc})
}
