package db

import (
	"context"
	"errors"
	"testing"
)

// TestEmailsIgnoreCaseOnly: an email matches its account whatever its case,
// and nothing else does, on both backends (MySQL's usual collations would
// also ignore accents and invisible characters, so a look-alike address
// would reach the account under a sign-in throttle key of its own).
func TestEmailsIgnoreCaseOnly(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	const password = "a passphrase for the test"
	if _, err := s.CreateUser(ctx, "admin@example.com", password, RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		email string
		same  bool
	}{
		{"admin@example.com", true},
		{"ADMIN@Example.COM", true},
		{"  admin@example.com ", true},
		{"ad\u200bmin@example.com", false},
		{"ádmin@example.com", false},
		{"admin@example.com\u00ad", false},
	} {
		_, err := s.Authenticate(ctx, tt.email, password)
		if got := err == nil; got != tt.same {
			t.Errorf("sign in as %q: %v, want the account: %v", tt.email, err, tt.same)
		}
		_, err = s.CreateUser(ctx, tt.email, password, RoleUser)
		if taken := errors.Is(err, ErrEmailTaken); taken != tt.same {
			t.Errorf("sign up as %q: %v, want taken: %v", tt.email, err, tt.same)
		}
	}
}
