package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// KeyValues is the key-value store that sessions and sign-in throttling
// keep in fimdb's own database (table fiber_storage), on the store's
// connection pool: every instance on one database shares them. It has the
// methods of fiber.Storage. It is fimdb's own rather than a gofiber/storage
// package because those close the pool they are given when they stop, and
// create their table on every start (so the runtime user would need CREATE).
type KeyValues struct {
	db     *sql.DB
	upsert string
	stop   chan struct{}
	once   sync.Once

	// get is prepared once: every signed-in request reads its session, and
	// an unprepared query costs MySQL a prepare, an execute and a close. A
	// failed prepare (the database restarting) is tried again next time.
	getMu sync.Mutex
	get   atomic.Pointer[sql.Stmt]
}

func (kv *KeyValues) getStmt() (*sql.Stmt, error) {
	if st := kv.get.Load(); st != nil {
		return st, nil
	}
	kv.getMu.Lock()
	defer kv.getMu.Unlock()
	if st := kv.get.Load(); st != nil {
		return st, nil
	}
	st, err := kv.db.PrepareContext(context.Background(), "SELECT v, e FROM fiber_storage WHERE k = ?")
	if err != nil {
		return nil, err
	}
	kv.get.Store(st)
	return st, nil
}

// KeyValues starts the store's key-value store; expired entries are
// removed every gcEvery until Close.
func (s *Store) KeyValues(gcEvery time.Duration) *KeyValues {
	kv := &KeyValues{db: s.write, upsert: s.dialect.upsertKeyValue, stop: make(chan struct{})}
	go kv.collectGarbage(gcEvery)
	return kv
}

// Get returns the value of key, or nil when it is missing or expired.
func (kv *KeyValues) Get(key string) ([]byte, error) {
	get, err := kv.getStmt()
	if err != nil {
		return nil, fmt.Errorf("key-value get: %w", err)
	}
	var v []byte
	var expires int64
	err = get.QueryRowContext(context.Background(), storedKey(key)).Scan(&v, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && expires != 0 && expires <= time.Now().Unix()) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("key-value get: %w", err)
	}
	return v, nil
}

// Set stores val under key for exp (0: until deleted). An empty key or
// value is ignored, as fiber's storages do.
func (kv *KeyValues) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var expires int64
	if exp > 0 {
		expires = time.Now().Add(exp).Unix()
	}
	if _, err := kv.db.ExecContext(context.Background(), kv.upsert, storedKey(key), val, expires); err != nil {
		return fmt.Errorf("key-value set: %w", err)
	}
	return nil
}

// Delete removes key.
func (kv *KeyValues) Delete(key string) error {
	if key == "" {
		return nil
	}
	_, err := kv.db.ExecContext(context.Background(), "DELETE FROM fiber_storage WHERE k = ?", storedKey(key))
	return err
}

// Reset removes every key.
func (kv *KeyValues) Reset() error {
	_, err := kv.db.ExecContext(context.Background(), "DELETE FROM fiber_storage")
	return err
}

// maxKeyLen is the longest key stored as it is (the column holds 512
// characters on MySQL); longer ones, such as a throttle key made from a
// sign-in form's oversized email field, are stored as their SHA-256.
const maxKeyLen = 256

func storedKey(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Close stops the garbage collection; the pool stays open for the store.
func (kv *KeyValues) Close() error {
	kv.once.Do(func() { close(kv.stop) })
	return nil
}

func (kv *KeyValues) collectGarbage(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-kv.stop:
			return
		case now := <-t.C:
			// A failure (the database briefly away) is retried next time.
			kv.db.Exec("DELETE FROM fiber_storage WHERE e <> 0 AND e <= ?", now.Unix())
		}
	}
}
