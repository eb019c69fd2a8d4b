package db

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestIdempotencyKeysAreForgottenAfterADay: within the TTL a key answers
// its first add; past it, the key is free and the same call adds again.
func TestIdempotencyKeysAreForgottenAfterADay(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	m := NewMovie{Name: "Heat", Director: "Michael Mann", Genres: []string{"Crime"}, IMDBScore: 8.3, Popularity: 80}
	first, replay, err := s.CreateMovieOnce(ctx, "k1", m, "admin@example.com")
	if err != nil || replay {
		t.Fatalf("first add: %v, replay %v", err, replay)
	}
	again, replay, err := s.CreateMovieOnce(ctx, "k1", m, "admin@example.com")
	if err != nil || !replay || again.ID != first.ID {
		t.Fatalf("retry: id %d (first %d), replay %v, %v", again.ID, first.ID, replay, err)
	}
	other := m
	other.Name = "Thief"
	if _, _, err := s.CreateMovieOnce(ctx, "k1", other, "admin@example.com"); !errors.Is(err, ErrIdempotencyKeyReused) {
		t.Fatalf("the key with another movie: %v, want ErrIdempotencyKeyReused", err)
	}

	old := time.Now().UTC().Add(-IdempotencyKeyTTL - time.Minute).Format(timeLayout)
	if _, err := s.write.ExecContext(ctx, "UPDATE idempotency_keys SET created_at = ?", old); err != nil {
		t.Fatal(err)
	}
	later, replay, err := s.CreateMovieOnce(ctx, "k1", m, "admin@example.com")
	if err != nil || replay || later.ID == first.ID {
		t.Fatalf("after the TTL: id %d (first %d), replay %v, %v; want a new movie", later.ID, first.ID, replay, err)
	}
	var keys int
	if err := s.write.QueryRowContext(ctx, "SELECT count(*) FROM idempotency_keys").Scan(&keys); err != nil || keys != 1 {
		t.Errorf("%d keys kept (%v), want 1: the expired one is deleted", keys, err)
	}
}
