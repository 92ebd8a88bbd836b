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
tmp=$(mktemp -d)
srv_pid=
bad=0

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$srv_pid" ]; then
        kill -KILL "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

start() {
    mkfifo "$tmp/ready"
    "bin/$1" --port 0 --protocol echo --backlog 4096 --max-conns 100000 \
        --stats "$tmp/$1.stats.json" >"$tmp/ready" 2>"$tmp/$1.err" &
    srv_pid=$!
    exec 5<"$tmp/ready"
    rm -f "$tmp/ready"
    local line
    IFS= read -r -t 30 line <&5
    port=${line#listening on 127.0.0.1:}
    port=${port%% *}
}

stop() {
    kill -TERM "$srv_pid"
    wait "$srv_pid"
    srv_pid=
    exec 5<&-
}

# summary NAME JSON: one line of a client's totals and errors.
summary() {
    jq -r --arg n "$1" '"  \($n): \(.totals.requests) requests, \(.totals.connections) connections, errors \(.errors | del(.first) | tostring)"' "$2"
}

run_one() {
    local s=$1
    start "$s"
    # The persistent clients connect first, then the storm joins them.
    bin/client_load -q -P echo -r 0 -c "$held" -t 1 -R "$held" -d "$secs" \
        -T 10 --json "$tmp/held.json" "127.0.0.1:$port" &
    local held_pid=$!
    bin/client_load -q -P echo -r 1 -c 32 -t 1 -d "$secs" -T 10 \
        --source 127.0.0.2-127.0.0.254 --json "$tmp/storm.json" \
        "127.0.0.1:$port" || true
    wait "$held_pid" || true
    stop
    echo "$s:"
    summary "held $held" "$tmp/held.json"
    summary "storm" "$tmp/storm.json"
    jq -c '{accepted, completed, refused, spawn_failures, accept_failures, peak_active, cpu_user_s, cpu_sys_s, peak_rss_kib}' \
        "$tmp/$s.stats.json" | sed 's/^/  server: /'
    local errs
    errs=$(jq -s '[.[].errors.total] | add' "$tmp/held.json" "$tmp/storm.json")
    if [ "$errs" -ne 0 ] || [ "$(jq '.refused + .spawn_failures' "$tmp/$s.stats.json")" -ne 0 ]; then
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
