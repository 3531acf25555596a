package app

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsCountRateLimits(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	m := newMetrics(reg, "test")
	m.RateLimited("slack", 2*time.Second)
	m.RateLimited("slack", 1500*time.Millisecond)
	m.RateLimited("discord", 250*time.Millisecond)
	want := `
# HELP newsbot_platform_rate_limited_total Digest posts a platform answered with a rate limit (429), by platform; the bot waited and retried.
# TYPE newsbot_platform_rate_limited_total counter
newsbot_platform_rate_limited_total{platform="discord"} 1
newsbot_platform_rate_limited_total{platform="slack"} 2
# HELP newsbot_platform_rate_limit_wait_seconds_total Seconds platforms asked the bot to wait (Retry-After) after a rate limit, by platform.
# TYPE newsbot_platform_rate_limit_wait_seconds_total counter
newsbot_platform_rate_limit_wait_seconds_total{platform="discord"} 0.25
newsbot_platform_rate_limit_wait_seconds_total{platform="slack"} 3.5
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"newsbot_platform_rate_limited_total", "newsbot_platform_rate_limit_wait_seconds_total"); err != nil {
		t.Error(err)
	}
}
