#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on 127.0.0.1 for the storage/postgres
# conformance tests, when the machine has PostgreSQL's server binaries.
# Prints the DSN on success; prints nothing and exits 0 when PostgreSQL is
# not available (the tests then skip, and CI says so).
set -euo pipefail
command -v initdb >/dev/null && command -v pg_ctl >/dev/null || exit 0
dir=$(mktemp -d /tmp/newsbot-ci-pg.XXXXXX)
port=${NEWSBOT_CI_PG_PORT:-55439}
run() {
	if [ "$(id -u)" = 0 ]; then
		chown -R nobody "$dir"
		su nobody -s /bin/sh -c "$*"
	else
		sh -c "$*"
	fi
}
run "initdb -D '$dir/data' -U newsbot --auth=trust >'$dir/initdb.log' 2>&1" || { echo "initdb failed: $(tail -3 "$dir/initdb.log")" >&2; exit 0; }
run "pg_ctl -D '$dir/data' -o '-p $port -c listen_addresses=127.0.0.1 -k $dir' -l '$dir/pg.log' -w start >/dev/null" || { echo "postgres did not start: $(tail -3 "$dir/pg.log")" >&2; exit 0; }
echo "$dir" >"${NEWSBOT_CI_PG_DIRFILE:-/dev/null}"
psql -h 127.0.0.1 -p "$port" -U newsbot -d postgres -qc "CREATE DATABASE newsbot_test" >/dev/null || { echo "could not create the test database" >&2; exit 0; }
echo "postgres://newsbot@127.0.0.1:$port/newsbot_test"
