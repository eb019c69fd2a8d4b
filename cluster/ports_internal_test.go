package cluster

import "testing"

// TestPickPortsGivesEachItsOwn: the free ports picked for one cluster are
// all different. Each was once closed before the next was picked, and the
// kernel handed the same one to nginx and an instance: nginx could not
// bind it, and a test reached the instance directly.
func TestPickPortsGivesEachItsOwn(t *testing.T) {
	ports := make([]int, 300)
	if err := pickPorts(ports); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p == 0 || seen[p] {
			t.Fatalf("port %d picked twice (or not at all) in %v", p, ports)
		}
		seen[p] = true
	}
}
