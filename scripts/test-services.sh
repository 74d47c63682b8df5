#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis the tests use are up on 127.0.0.1, starting them if they
# are installed and stopped, and that Debian's chromium is there for the browser tests
# (installed with apt-get when missing). Safe to run again and again (and from two shells at once).
#
#   scripts/test-services.sh            # both
#   RISKSHARE_SERVICES_WAIT=60 scripts/test-services.sh
#
# A service whose binaries are not installed is skipped with a message (its tests skip too);
# one that is installed but does not answer in time fails the script.
set -euo pipefail

WAIT_SECONDS="${RISKSHARE_SERVICES_WAIT:-30}"
status=0

say() { printf 'test-services: %s\n' "$*"; }

# wait_until NAME COMMAND...: poll COMMAND every half second for up to WAIT_SECONDS.
wait_until() {
    local name="$1"
    shift
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            say "$name did not answer within ${WAIT_SECONDS}s (tried: $*)" >&2
            return 1
        fi
        sleep 0.5
    done
}

postgres_ready() { pg_isready -q -h 127.0.0.1; }

ensure_postgres() {
    if ! command -v pg_ctlcluster >/dev/null || ! command -v pg_isready >/dev/null \
        || [[ ! -d /etc/postgresql ]] || [[ -z "$(ls /etc/postgresql)" ]]; then
        say "PostgreSQL is not installed (pg_ctlcluster, pg_isready, /etc/postgresql): skipped"
        return 0
    fi
    if postgres_ready; then
        say "PostgreSQL is up"
        return 0
    fi
    say "starting PostgreSQL $(ls /etc/postgresql)"
    # Fails harmlessly with "already running" when another run started it a moment ago;
    # the wait below is what decides.
    # shellcheck disable=SC2046 # one version folder on these machines, by design
    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start || true
    if wait_until PostgreSQL postgres_ready; then
        say "PostgreSQL is up"
    else
        say "PostgreSQL failed to start: see /var/log/postgresql/" >&2
        return 1
    fi
}

redis_ready() { [[ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" == "PONG" ]]; }

ensure_redis() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        say "Redis is not installed (redis-server, redis-cli): skipped"
        return 0
    fi
    if redis_ready; then
        say "Redis is up"
        return 0
    fi
    say "starting Redis"
    # A concurrent start loses the bind race and exits; the wait below is what decides.
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        || true
    if wait_until Redis redis_ready; then
        say "Redis is up"
    else
        say "Redis failed to start on 127.0.0.1:6379" >&2
        return 1
    fi
}

# The console's browser tests (tests/console) drive Debian's chromium through Playwright;
# Playwright's own browser download is never used (no network but the package registries).
ensure_chromium() {
    if [[ -x /usr/bin/chromium ]]; then
        say "chromium is installed"
        return 0
    fi
    if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
        say "chromium is not installed and apt-get cannot run here: browser tests skip"
        return 0
    fi
    say "installing chromium (apt-get)"
    # A Chinese font too: the screenshots show the console's Chinese pages as users see them.
    if ! { apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei; }; then
        say "chromium could not be installed" >&2
        return 1
    fi
}

ensure_postgres || status=1
ensure_redis || status=1
ensure_chromium || status=1
exit "$status"
