package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles a user can have.
const (
	RoleUser  = "user"
	RoleAdmin = "admin"
)

// ErrEmailTaken is returned when an account with the email already exists.
var ErrEmailTaken = errors.New("an account with this email already exists")

// User is an account. The password hash never leaves this package.
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// IsAdmin reports whether the user may manage the catalog.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// PasswordCost is bcrypt's work factor. Tests lower it; nothing else should.
var PasswordCost = 12

// dummyHash is compared against when an email is unknown, so that a failed
// sign-in takes as long whether or not the account exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("fimdb-no-such-user"), bcrypt.MinCost)

// CreateUser adds an account with a bcrypt hash of password.
func (s *Store) CreateUser(ctx context.Context, email, password, role string) (User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	email = NormalizeEmail(email)
	at := now()
	res, err := s.write.ExecContext(ctx, "INSERT INTO users (email, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", email, string(hash), role, at, at)
	if err != nil {
		if s.dialect.isDuplicate(err) {
			return User{}, ErrEmailTaken
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return User{}, err
	}
	return User{ID: id, Email: email, Role: role}, nil
}

// NormalizeEmail trims an email; case is ignored by the database's collation.
func NormalizeEmail(email string) string {
	return strings.TrimSpace(email)
}

// Authenticate returns the user whose email and password match. Unknown
// emails and wrong passwords give the same ErrNotFound after the same work.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	var u User
	var hash string
	err := s.read.QueryRowContext(ctx, "SELECT id, email, role, password_hash FROM users WHERE "+s.dialect.emailIs, NormalizeEmail(email)).
		Scan(&u.ID, &u.Email, &u.Role, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, ErrNotFound
	}
	return u, nil
}

// UserByID returns the user with id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	// Every request with a session runs this (see UserByToken).
	return s.requestUser(ctx, "SELECT id, email, role, "+catalogVersion+" FROM users WHERE id = ?", id)
}

// SetPassword replaces a user's password.
func (s *Store) SetPassword(ctx context.Context, email, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	res, err := s.write.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE `+s.dialect.emailIs,
		string(hash), now(), NormalizeEmail(email))
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Users lists every account by email.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, email, role FROM users ORDER BY email")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Email, &u.Role); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountAdmins returns how many admin accounts exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'admin'").Scan(&n)
	return n, err
}

// CreateToken makes a new bearer token for the user with email and returns
// it; only its hash is stored, so it cannot be shown again.
func (s *Store) CreateToken(ctx context.Context, email string) (string, error) {
	var userID int64
	err := s.read.QueryRowContext(ctx, "SELECT id FROM users WHERE "+s.dialect.emailIs, NormalizeEmail(email)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := "fimdb_" + base64.RawURLEncoding.EncodeToString(raw)
	if _, err := s.write.ExecContext(ctx, "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)", userID, tokenHash(token), now()); err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	return token, nil
}

// RevokeToken makes a token unusable. It reports ErrNotFound for a token
// that does not exist or was already revoked.
func (s *Store) RevokeToken(ctx context.Context, token string) error {
	res, err := s.write.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?
WHERE token_hash = ? AND revoked_at IS NULL`, now(), tokenHash(strings.TrimSpace(token)))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserByToken returns the owner of a live bearer token, or ErrNotFound.
func (s *Store) UserByToken(ctx context.Context, token string) (User, error) {
	return s.requestUser(ctx, `SELECT u.id, u.email, u.role, `+catalogVersion+` FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL`, tokenHash(token))
}

// requestUser runs query, a lookup that every request makes, for the user
// it names. Every API request runs one: a statement prepared once saves
// parsing it each time (most of its cost). It also reads the catalog
// version, which spares the request a version check of its own, so a page
// answered from the cache costs this one statement.
func (s *Store) requestUser(ctx context.Context, query string, arg any) (User, error) {
	st, err := s.pooledStmt(ctx, query)
	if err != nil {
		return User{}, err
	}
	sent := time.Now()
	var u User
	var version sql.NullInt64
	err = st.QueryRowContext(ctx, arg).Scan(&u.ID, &u.Email, &u.Role, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	if version.Valid {
		s.cache.observe(sent, version.Int64)
	}
	return u, nil
}

// tokenHash is a SHA-256: tokens are 256 random bits, so a slow hash adds
// nothing and would slow every API request.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
