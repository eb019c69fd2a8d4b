package imdb

import "slices"

// idSet is a sorted set of tconst or nconst numbers: 4 bytes an id, where a
// map would take several times that.
type idSet []uint32

// newIDSet sorts ids in place and drops repeats.
func newIDSet(ids []uint32) idSet {
	if !slices.IsSorted(ids) {
		slices.Sort(ids)
	}
	return slices.Clip(slices.Compact(ids))
}

func (s idSet) index(id uint32) (int, bool) { return slices.BinarySearch(s, id) }

// cursor looks ids up while a file is scanned. IMDb's files are sorted by
// id, so most lookups are answered by one comparison with the next id of
// the set; out-of-order ids fall back to a binary search of the whole set.
type cursor struct {
	set  idSet
	next int // set[next-1] is the last id found or passed
}

func (c *cursor) index(id uint32) (int, bool) {
	lo := 0
	if c.next > 0 && c.set[c.next-1] < id {
		lo = c.next
	}
	rest := c.set[lo:]
	if len(rest) == 0 || id < rest[0] {
		c.next = lo
		return -1, false
	}
	i, found := slices.BinarySearch(rest, id)
	c.next = lo + i
	if !found {
		return -1, false
	}
	c.next++
	return lo + i, true
}

// bitset holds one flag per selected title or person.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) has(i int) bool { return b[i/64]&(1<<uint(i%64)) != 0 }

func (b bitset) set(i int) { b[i/64] |= 1 << uint(i%64) }

// testAndSet sets flag i and says whether it was set already.
func (b bitset) testAndSet(i int) bool {
	was := b.has(i)
	b.set(i)
	return was
}

// interner shares one string per distinct title type or genre: there are a
// few dozen, and a string per row would be garbage by the million.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}
