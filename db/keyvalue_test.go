package db

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestKeyValues(t *testing.T) {
	s := openTestStore(t)
	kv := s.KeyValues(time.Hour)
	steps := []struct {
		name string
		run  func() error
		key  string
		want string
	}{
		{"set", func() error { return kv.Set("a", []byte("1"), 0) }, "a", "1"},
		{"overwrite", func() error { return kv.Set("a", []byte("2"), time.Hour) }, "a", "2"},
		{"a long key", func() error { return kv.Set(string(make([]byte, 300)), []byte("x"), 0) }, string(make([]byte, 300)), "x"},
		{"a key longer than the column", func() error { return kv.Set(strings.Repeat("k", 2000), []byte("y"), 0) }, strings.Repeat("k", 2000), "y"},
		{"expired", func() error { return kv.Set("b", []byte("3"), time.Nanosecond) }, "b", ""},
		{"empty value ignored", func() error { return kv.Set("c", nil, 0) }, "c", ""},
		{"delete", func() error { return kv.Delete("a") }, "a", ""},
		{"missing", func() error { return nil }, "nope", ""},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.name == "expired" {
			time.Sleep(1100 * time.Millisecond) // expiry has a resolution of one second
		}
		got, err := kv.Get(st.key)
		if err != nil || string(got) != st.want {
			t.Errorf("%s: Get = %q, %v; want %q", st.name, got, err, st.want)
		}
	}
	if err := kv.Reset(); err != nil {
		t.Fatal(err)
	}
	if got, _ := kv.Get(string(make([]byte, 300))); got != nil {
		t.Errorf("after Reset: %q", got)
	}
	// Closing the key-value store leaves the store's pool open.
	if err := kv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("the store after the key-value store closed: %v", err)
	}
}
