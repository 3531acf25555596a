package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
)

// RefusedError is returned when a request would connect to an address the
// guard refuses (see [Classify]). Its message says why in plain words and
// how to allow it.
type RefusedError struct {
	// Host is the host name of the URL ("" when the URL held an IP).
	Host string
	// Addr is the refused address.
	Addr netip.Addr
	// Kind says what the address is ("a loopback address").
	Kind string
	// Never is set for addresses refused even with AllowPrivate.
	Never bool
}

// Error says which address was refused, why, and how to allow it.
func (e *RefusedError) Error() string {
	what := e.Addr.String() + " is " + e.Kind
	if e.Host != "" && e.Host != e.Addr.String() {
		what = e.Host + " resolves to " + e.Addr.String() + ", " + e.Kind
	}
	if e.Never {
		return "refused: " + what + "; feeds cannot be fetched from it"
	}
	return "refused: " + what + "; set fetch.allow_private to allow it"
}

// Classify says what kind of non-public address a is, or "" for a public
// unicast address. never reports kinds refused even when private addresses
// are allowed (multicast, broadcast, unspecified: nothing serves feeds
// there). IPv4-mapped IPv6 addresses are judged by their IPv4 address, and
// the IPv4 address embedded in NAT64, 6to4 and Teredo addresses is checked
// too.
func Classify(a netip.Addr) (kind string, never bool) {
	a = a.Unmap()
	if !a.IsValid() {
		return "an invalid address", true
	}
	if a.Is6() {
		if v4, ok := embeddedV4(a); ok {
			if k, n := Classify(v4); k != "" {
				return k + " (embedded in " + a.String() + ")", n
			}
		}
	}
	switch {
	case a.IsUnspecified():
		return "the unspecified address", true
	case a == broadcast:
		return "the broadcast address", true
	case a.IsMulticast():
		return "a multicast address", true
	case a.IsLoopback():
		return "a loopback address", false
	case a == metadataV4:
		return "the cloud metadata address (link-local)", false
	case a.IsLinkLocalUnicast():
		return "a link-local address", false
	case a.IsPrivate():
		if a.Is6() {
			return "a unique local (private) address", false
		}
		return "a private address", false
	}
	for _, r := range reserved {
		if r.prefix.Contains(a) {
			return r.kind, false
		}
	}
	return "", false
}

var (
	broadcast  = netip.MustParseAddr("255.255.255.255")
	metadataV4 = netip.MustParseAddr("169.254.169.254")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	teredo     = netip.MustParsePrefix("2001::/32")
)

// reserved lists special-purpose ranges (RFC 6890 and successors) that are
// not public unicast, beyond what netip's predicates cover.
var reserved = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address`},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT (shared) address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol assignment address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
}

// embeddedV4 extracts the IPv4 address carried in NAT64, 6to4 and Teredo
// addresses, which a gateway may turn into a connection to that address.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case teredo.Contains(a):
		// The client address is stored inverted in the last 32 bits.
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), true
	}
	return netip.Addr{}, false
}

// CheckURL tells ahead of time whether the guard would let a fetch of
// rawURL connect: it resolves the URL's host with r (net.DefaultResolver
// when nil) and returns a *RefusedError, whose message names
// fetch.allow_private, when an address is one the guard refuses (see
// [Classify]; with allowPrivate only multicast, broadcast and unspecified
// addresses are). A host that does not resolve gives the lookup error,
// wrapped: the caller decides whether that is fatal, as DNS may change by
// fetch time. The fetch itself checks again when it dials.
func CheckURL(ctx context.Context, rawURL string, allowPrivate bool, r Resolver) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("check %q: %w", rawURL, err)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("check %q: no host", rawURL)
	}
	if r == nil {
		r = net.DefaultResolver
	}
	g := &guard{allowPrivate: allowPrivate}
	if ip, err := netip.ParseAddr(host); err == nil {
		return g.check(host, ip)
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("look up %s: %w", host, err)
	}
	for _, a := range addrs {
		if err := g.check(host, a); err != nil {
			return err
		}
	}
	return nil
}

// check returns a *RefusedError if a may not be dialled.
func (g *guard) check(host string, a netip.Addr) error {
	kind, never := Classify(a)
	if kind == "" || (g.allowPrivate && !never) {
		return nil
	}
	return &RefusedError{Host: host, Addr: a.Unmap(), Kind: kind, Never: never}
}

// Resolver looks up a host's addresses; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc opens a network connection, as net.Dialer.DialContext does.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// guard resolves host names itself, refuses non-public addresses, and then
// dials the checked IP address (never the name again), so that neither a
// redirect nor a DNS answer that changes between check and use can reach a
// refused address.
type guard struct {
	allowPrivate bool
	resolver     Resolver
	dial         DialFunc
}

func (g *guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		addrs, err = g.resolver.LookupNetIP(ctx, ipNetwork(network), host)
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("look up %s: no addresses", host)
		}
	}
	// Refuse if any address is refused: a name that mixes public and
	// private answers is not trusted with either.
	for _, a := range addrs {
		if err := g.check(host, a); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, a := range addrs {
		c, err := g.dial(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// control is a net.Dialer.Control hook that checks the address actually
// being connected to: a second line of defence under DialContext.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	return g.check("", ap.Addr())
}

func ipNetwork(network string) string {
	switch network {
	case "tcp4", "udp4":
		return "ip4"
	case "tcp6", "udp6":
		return "ip6"
	}
	return "ip"
}
