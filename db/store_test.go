package db

import (
	"context"
	"sync"
	"testing"

	"fimdb/db/dbtest"
	"fmt"
	"time"
)

// skipOnMySQL skips a test that is about SQLite itself, saying why; the
// SQLite run of the suite runs it.
func skipOnMySQL(t testing.TB, why string) {
	t.Helper()
	if dbtest.MySQL() {
		t.Skipf("SQLite only: %s", why)
	}
}

// openTestStore opens a fresh, empty database on the backend under test.
func openTestStore(t testing.TB) *Store {
	t.Helper()
	return openAt(t, dbtest.DSN(t, "test"))
}

// openAt opens the database dsn names, closing it when the test ends.
func openAt(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSeedBundledCatalogLoadsOnce(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "seed")
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

// startAndSeed opens the database at path as `fimdb serve` does on a start,
// seeds it, and reports how many movies the seed added and the catalog holds.
func startAndSeed(t *testing.T, path string) (added, total int) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if added, err = s.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	if total, err = s.CountMovies(ctx); err != nil {
		t.Fatal(err)
	}
	return added, total
}

// TestSeedBundledCatalogKeepsAnImportedCatalog: movies imported before the
// first start are the catalog; the first start (and every later one) adds
// none of the bundled ones.
func TestSeedBundledCatalogKeepsAnImportedCatalog(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "imported")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	report, err := s.ImportMovies(ctx, []NewMovie{
		{Name: "Only Mine", Director: "Someone", Genres: []string{"Drama"}, IMDBScore: 7, Popularity: 70},
		{Name: "Star Wars", Director: "George Lucas", IMDBScore: 8.8, Popularity: 88}, // also in the bundle
	}, nil)
	s.Close()
	if err != nil || report.Added != 2 {
		t.Fatalf("import: %+v %v", report, err)
	}
	for start := 1; start <= 2; start++ {
		if added, total := startAndSeed(t, path); added != 0 || total != 2 {
			t.Errorf("start %d: the seed added %d, the catalog holds %d; want 0 and the 2 imported", start, added, total)
		}
	}
}

// TestSeedBundledCatalogNeverComesBackAfterEverythingIsDeleted: an empty
// catalog that was seeded once stays empty across restarts.
func TestSeedBundledCatalogNeverComesBackAfterEverythingIsDeleted(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "emptied")
	if added, total := startAndSeed(t, path); added != 246 || total != 246 {
		t.Fatalf("first start: added %d, holds %d; want 246", added, total)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for {
		l, err := s.ListMovies(ctx, ListQuery{PerPage: MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Movies) == 0 {
			break
		}
		for _, m := range l.Movies {
			if _, err := s.DeleteMovie(ctx, m.ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.Close()
	for start := 2; start <= 3; start++ {
		if added, total := startAndSeed(t, path); added != 0 || total != 0 {
			t.Errorf("start %d after deleting every movie: added %d, holds %d; want 0", start, added, total)
		}
	}
}

// TestConcurrentFirstStarts: several instances starting at once on one
// empty database (each opens, migrates and seeds) end with one schema and
// one copy of the bundled catalog.
func TestConcurrentFirstStarts(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t, "starts")
	const instances = 4
	added := make([]int, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s, err := Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			added[i], errs[i] = s.SeedBundledCatalog(ctx)
		}()
	}
	close(start)
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		total += added[i]
	}
	s := openAt(t, dsn)
	if n, err := s.CountMovies(ctx); err != nil || n != 246 || total != 246 {
		t.Errorf("after %d concurrent first starts: %d movies (%v), %d added in all; want 246", instances, n, err, total)
	}
	var applied, distinct int
	if err := s.read.QueryRow("SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || applied != distinct || int64(distinct) != v {
		t.Errorf("migrations recorded %d times for %d versions, schema version %d (%v)", applied, distinct, v, err)
	}
}

// TestSeedBundledCatalogOnceWhenTwoProcessesStartTogether: two stores on
// one file (as two processes would be) seeding at the same moment load the
// bundle exactly once between them.
func TestSeedBundledCatalogOnceWhenTwoProcessesStartTogether(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "race")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var added [2]int
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			added[i], errs[i] = s.SeedBundledCatalog(ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	if added[0]+added[1] != 246 || (added[0] != 0 && added[1] != 0) {
		t.Errorf("the two starts added %d and %d movies; want 246 by one of them", added[0], added[1])
	}
	if n, err := stores[0].CountMovies(ctx); err != nil || n != 246 {
		t.Errorf("the catalog holds %d movies (%v), want 246", n, err)
	}
}

// TestSeedBundledCatalogBesideAnImport: a first start racing an import on
// one file either loads the bundle before the import (which then adds what
// is new) or, once the imported movies are in, loads nothing; never the
// bundle on top of movies it did not see.
func TestSeedBundledCatalogBesideAnImport(t *testing.T) {
	ctx := context.Background()
	path := dbtest.DSN(t, "import-race")
	seeder, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer seeder.Close()
	importer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer importer.Close()
	var (
		added  int
		report ImportReport
		errs   [2]error
		wg     sync.WaitGroup
	)
	start := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		added, errs[0] = seeder.SeedBundledCatalog(ctx)
	}()
	go func() {
		defer wg.Done()
		<-start
		report, errs[1] = importer.ImportMovies(ctx, []NewMovie{
			{Name: "Only Mine", Director: "Someone", IMDBScore: 7, Popularity: 70},
			{Name: "Star Wars", Director: "George Lucas", IMDBScore: 8.8, Popularity: 88}, // also in the bundle
		}, nil)
	}()
	close(start)
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("seed: %v; import: %v", errs[0], errs[1])
	}
	n, err := seeder.CountMovies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seedFirst := added == 246 && report.Added == 1 && n == 247
	importFirst := added == 0 && report.Added == 2 && n == 2
	if !seedFirst && !importFirst {
		t.Errorf("the seed added %d, the import %d, the catalog holds %d; want 246+1=247 or 0+2=2", added, report.Added, n)
	}
}

// TestReadsGoOnDuringAnImport: while an import into the same database holds
// its transaction open (paused half-way, its search trigger dropped), a
// second store, as a server beside it, answers listings, searches,
// suggestions and movies from the catalog as it was; once the import
// commits they see what it added.
func TestReadsGoOnDuringAnImport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a read that waited for the import would hang
	defer cancel()
	path := dbtest.DSN(t, "read-beside-import")
	server := openAt(t, path)
	if _, err := server.SeedBundledCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	importer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer importer.Close()
	var movies []NewMovie
	for i := range 400 {
		movies = append(movies, NewMovie{Name: fmt.Sprintf("Quagga %d", i), Director: "Imp Orter", Genres: []string{"Drama"}, IMDBScore: 7, Popularity: 99})
	}
	halfway, resume := make(chan struct{}), make(chan struct{})
	handled := 0
	done := make(chan error, 1)
	go func() {
		_, err := importer.ImportMovies(ctx, movies, func() {
			if handled++; handled == len(movies)/2 {
				close(halfway)
				<-resume
			}
		})
		done <- err
	}()
	select {
	case <-halfway:
	case err := <-done:
		t.Fatalf("the import ended before half-way: %v", err)
	}
	reads := func(wantQuaggas, wantTotal int) {
		t.Helper()
		l, err := server.ListMovies(ctx, ListQuery{Filter: Filter{Name: "quagga"}, ExactTotal: true})
		if err != nil || l.Total != wantQuaggas {
			t.Errorf("search: %d movies (%v), want %d", l.Total, err, wantQuaggas)
		}
		all, err := server.ListMovies(ctx, ListQuery{Sort: SortPopularity})
		if err != nil || all.Total != wantTotal {
			t.Errorf("listing: %d movies (%v), want %d", all.Total, err, wantTotal)
		}
		if s, err := server.Suggest(ctx, "name", "star wa"); err != nil || len(s) == 0 {
			t.Errorf("suggest: %v %v", s, err)
		}
		if m, err := server.MovieByID(ctx, 2); err != nil || m.Name != "Star Wars" {
			t.Errorf("movie 2: %+v %v", m, err)
		}
	}
	reads(0, 246)
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	reads(len(movies), 246+len(movies))
}
