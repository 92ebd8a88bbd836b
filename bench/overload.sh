#!/usr/bin/env bash
# overload.sh [SECONDS]: the overload benchmark. For each server: 2,000
# persistent echo connections held for SECONDS (default 60), each sending a
# request every second, while a second client storms the same server with
# short connections (a new connection per request, 32 at a time). Prints, per
# server, both clients' requests and errors by kind, and the server's
# accounting. Exits 1 when any client counted an error or the server refused
# anything: the bar is zero errors on both servers.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
held=${HELD:-2000}
bad=0
port=
ROOT=$PWD
TMPD=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap 'server_kill; rm -rf "$TMPD"' EXIT

# summary NAME JSON: one line of a client's totals and errors.
summary() {
    jq -r --arg n "$1" '"  \($n): \(.totals.requests) requests, \(.totals.connections) connections, errors \(.errors | del(.first) | tostring)"' "$2"
}

run_one() {
    local s=$1
    server_start "$TMPD/$s" "${s%_server}" echo --backlog 4096 --max-conns 100000
    port=$PORT
    # The persistent clients connect first, then the storm joins them.
    bin/client_load -q -P echo -r 0 -c "$held" -t 1 -R "$held" -d "$secs" \
        -T 10 --json "$TMPD/held.json" "127.0.0.1:$port" &
    local held_pid=$!
    bin/client_load -q -P echo -r 1 -c 32 -t 1 -d "$secs" -T 10 \
        --source 127.0.0.2-127.0.0.254 --json "$TMPD/storm.json" \
        "127.0.0.1:$port" || true
    wait "$held_pid" || true
    server_stop
    echo "$s:"
    summary "held $held" "$TMPD/held.json"
    summary "storm" "$TMPD/storm.json"
    jq -c '{accepted, completed, refused, spawn_failures, accept_failures, peak_active, cpu_user_s, cpu_sys_s, peak_rss_kib}' \
        "$TMPD/$s.server.json" | sed 's/^/  server: /'
    local errs
    errs=$(jq -s '[.[].errors.total] | add' "$TMPD/held.json" "$TMPD/storm.json")
    if [ "$errs" -ne 0 ] || [ "$(jq '.refused + .spawn_failures' "$TMPD/$s.server.json")" -ne 0 ]; then
        bad=1
    fi
}

main() {
    echo "# overload: $held held + a 32-wide storm for ${secs}s; $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    ulimit -n "$(ulimit -Hn)"
    local s
    for s in fork_server thread_server; do
        run_one "$s"
    done
    exit "$bad"
}

main "$@"
