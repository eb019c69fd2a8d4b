package db

import (
	"context"
	"path/filepath"
	"testing"
)

// openTestStore opens a fresh database file in a temporary folder.
func openTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSeedBundledCatalogLoadsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seed.db")
	for start, wantAdded := range []int{246, 0} {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		added, err := s.SeedBundledCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if added != wantAdded {
			t.Errorf("start %d: added %d movies, want %d", start+1, added, wantAdded)
		}
		n, err := s.CountMovies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 246 {
			t.Errorf("start %d: catalog has %d movies, want 246", start+1, n)
		}
		s.Close()
	}
}
