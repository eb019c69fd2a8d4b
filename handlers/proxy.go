package handlers

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// TrustedProxies are the peers whose X-Forwarded-For and X-Forwarded-Proto
// fimdb believes. Anyone else could send those headers to pick the address
// the sign-in throttle counts against, so they are ignored from the rest.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma- or space-separated list of CIDRs
// ("10.0.0.0/8") and single addresses ("127.0.0.1").
func ParseTrustedProxies(list string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			if p.Addr().Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is neither a CIDR such as 10.0.0.0/8 nor an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client is who sent a request, as far as fimdb can tell.
type client struct {
	addr  netip.Addr
	https bool
}

// throttleKey is the address the sign-in throttle counts against. An
// IPv6 visitor usually holds a whole /64, so that is what counts.
func (cl client) throttleKey() string {
	if cl.addr.Is6() {
		p, _ := cl.addr.Prefix(64)
		return p.String()
	}
	return cl.addr.String()
}

const clientKey = "fimdb.client"

// identifyClient works out the visitor's address and scheme once per
// request. From a trusted proxy, the visitor is the rightmost
// X-Forwarded-For address that is not itself a trusted proxy: addresses to
// its left were written by the visitor and prove nothing.
func (t TrustedProxies) identifyClient(c *fiber.Ctx) error {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	cl := client{addr: peer.Unmap(), https: c.Context().IsTLS()}
	if len(t) > 0 && t.trusts(peer) {
		if a, ok := t.forwardedFor(c); ok {
			cl.addr = a
		}
		if proto, ok := lastListItem(c.Request().Header.PeekAll(fiber.HeaderXForwardedProto)); ok {
			cl.https = strings.EqualFold(proto, "https")
		}
	}
	c.Locals(clientKey, cl)
	return c.Next()
}

// forwardedFor walks X-Forwarded-For from the right. A malformed entry
// ends the walk: what lies beyond it cannot be trusted either. When every
// entry is a trusted address, the nearest proxy's entry is the one to
// believe: the entries left of it may have come from the client.
func (t TrustedProxies) forwardedFor(c *fiber.Ctx) (netip.Addr, bool) {
	var hops []string
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(h), ",")...)
	}
	var nearest netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		if !t.trusts(a) {
			return a, true
		}
		if !nearest.IsValid() {
			nearest = a
		}
	}
	return nearest, nearest.IsValid()
}

// parseHop reads one X-Forwarded-For entry: an address, or an address and
// port as some proxies write it ("203.0.113.7:5678", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// lastListItem is the last comma-separated item of a header that may be
// repeated: the one the nearest proxy wrote.
func lastListItem(values [][]byte) (string, bool) {
	if len(values) == 0 {
		return "", false
	}
	items := strings.Split(string(values[len(values)-1]), ",")
	last := strings.TrimSpace(items[len(items)-1])
	return last, last != ""
}

// clientOf is the request's client as identifyClient found it.
func clientOf(c *fiber.Ctx) client {
	if cl, ok := c.Locals(clientKey).(client); ok {
		return cl
	}
	a, _ := netip.ParseAddr(c.IP())
	return client{addr: a.Unmap(), https: c.Context().IsTLS()}
}
