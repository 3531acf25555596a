package fetch

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr  string
		kind  string // "" means public
		never bool
	}{
		{"8.8.8.8", "", false},
		{"93.184.216.34", "", false},
		{"2606:4700:4700::1111", "", false},
		{"127.0.0.1", "a loopback address", false},
		{"127.8.9.10", "a loopback address", false},
		{"::1", "a loopback address", false},
		{"::ffff:127.0.0.1", "a loopback address", false},
		{"10.1.2.3", "a private address", false},
		{"172.16.0.1", "a private address", false},
		{"172.31.255.255", "a private address", false},
		{"172.32.0.1", "", false},
		{"192.168.1.1", "a private address", false},
		{"fd00::1", "a unique local (private) address", false},
		{"fd00:ec2::254", "a unique local (private) address", false},
		{"169.254.169.254", "the cloud metadata address (link-local)", false},
		{"169.254.1.1", "a link-local address", false},
		{"fe80::1", "a link-local address", false},
		{"100.64.0.1", "a carrier-grade NAT (shared) address", false},
		{"100.128.0.1", "", false},
		{"0.1.2.3", `a "this network" address`, false},
		{"192.0.2.1", "a documentation address", false},
		{"198.18.0.1", "a benchmarking address", false},
		{"240.0.0.1", "a reserved address", false},
		{"224.0.0.1", "a multicast address", true},
		{"ff02::1", "a multicast address", true},
		{"0.0.0.0", "the unspecified address", true},
		{"::", "the unspecified address", true},
		{"255.255.255.255", "the broadcast address", true},
		{"64:ff9b::a9fe:a9fe", "the cloud metadata address (link-local) (embedded in 64:ff9b::a9fe:a9fe)", false},
		{"2002:7f00:1::", "a loopback address (embedded in 2002:7f00:1::)", false},
		{"64:ff9b::808:808", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			kind, never := Classify(netip.MustParseAddr(tc.addr))
			if kind != tc.kind || never != tc.never {
				t.Errorf("Classify(%s) = %q, %v; want %q, %v", tc.addr, kind, never, tc.kind, tc.never)
			}
		})
	}
}

func TestGuardAllowPrivate(t *testing.T) {
	t.Parallel()
	strict := &guard{}
	loose := &guard{allowPrivate: true}
	for _, a := range []string{"127.0.0.1", "10.0.0.1", "169.254.169.254", "fd00::1"} {
		ip := netip.MustParseAddr(a)
		if strict.check("", ip) == nil {
			t.Errorf("strict guard allowed %s", a)
		}
		if err := loose.check("", ip); err != nil {
			t.Errorf("allow_private guard refused %s: %v", a, err)
		}
	}
	for _, a := range []string{"224.0.0.1", "0.0.0.0", "::"} {
		if loose.check("", netip.MustParseAddr(a)) == nil {
			t.Errorf("allow_private guard allowed %s", a)
		}
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  RefusedError
		want string
	}{
		{RefusedError{Addr: netip.MustParseAddr("127.0.0.1"), Kind: "a loopback address"},
			"refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"},
		{RefusedError{Host: "evil.example", Addr: netip.MustParseAddr("10.0.0.1"), Kind: "a private address"},
			"refused: evil.example resolves to 10.0.0.1, a private address; set fetch.allow_private to allow it"},
		{RefusedError{Addr: netip.MustParseAddr("224.0.0.1"), Kind: "a multicast address", Never: true},
			"refused: 224.0.0.1 is a multicast address; feeds cannot be fetched from it"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q\nwant %q", got, tc.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	res := fakeResolver{
		"news.example":      {"93.184.216.34"},
		"intranet.example":  {"10.0.0.7"},
		"mixed.example":     {"93.184.216.34", "127.0.0.1"},
		"multicast.example": {"224.0.0.1"},
	}
	tests := []struct {
		url          string
		allowPrivate bool
		// want is "" for allowed, else a part of the error.
		want    string
		refused bool
	}{
		{"https://news.example/rss", false, "", false},
		{"http://127.0.0.1:8080/feed.xml", false, "127.0.0.1 is a loopback address; set fetch.allow_private to allow it", true},
		{"http://[::1]/feed", false, "::1 is a loopback address", true},
		{"https://intranet.example/rss", false, "intranet.example resolves to 10.0.0.7, a private address; set fetch.allow_private", true},
		{"https://mixed.example/rss", false, "mixed.example resolves to 127.0.0.1", true},
		{"http://169.254.169.254/latest/meta-data", false, "the cloud metadata address", true},
		{"http://127.0.0.1:8080/feed.xml", true, "", false},
		{"https://intranet.example/rss", true, "", false},
		{"https://multicast.example/rss", true, "feeds cannot be fetched from it", true},
		{"https://unknown.example/rss", false, "look up unknown.example", false},
		{"https:///rss", false, "no host", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			err := CheckURL(context.Background(), tc.url, tc.allowPrivate, res)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckURL = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckURL = %v, want an error containing %q", err, tc.want)
			}
			if _, ok := errors.AsType[*RefusedError](err); ok != tc.refused {
				t.Errorf("refused = %v, want %v (%v)", ok, tc.refused, err)
			}
		})
	}
}
