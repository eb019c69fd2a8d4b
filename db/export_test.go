package db

import "context"

var bgCtx = context.Background()

// ListMoviesUncached runs the SQL of a listing without the result cache, so
// benchmarks measure what a new search costs.
func (s *Store) ListMoviesUncached(q ListQuery) (Listing, error) {
	return s.listMovies(bgCtx, q.normalized())
}
