#!/usr/bin/env bash
# client_rss.sh [CONNS]: how much memory client_load needs to hold CONNS
# (default 10,000) concurrent keep-alive connections. The target is
# thread_server with 64 KiB stacks; the client holds the connections for 5 s,
# sending CONNS requests/s in all, and its own peak RSS (getrusage, in its
# --json) is printed with its errors. Exits 1 on any client error.
set -euo pipefail
cd "$(dirname "$0")/.."

conns=${1:-10000}
tmp=$(mktemp -d)
srv_pid=

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$srv_pid" ]; then
        kill -KILL "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

main() {
    ulimit -n "$(ulimit -Hn)"
    if [ "$(ulimit -n)" -lt $((conns + 100)) ]; then
        echo "client_rss: the descriptor limit $(ulimit -n) is below $conns" >&2
        exit 1
    fi
    mkfifo "$tmp/ready"
    bin/thread_server --port 0 --stack-size 64 --max-conns $((conns * 2)) \
        --backlog 4096 --stats "$tmp/server.json" >"$tmp/ready" &
    srv_pid=$!
    local line port
    exec 5<"$tmp/ready"
    IFS= read -r -t 30 line <&5
    port=${line#listening on 127.0.0.1:}
    port=${port%% *}
    bin/client_load -q -P echo -r 0 -c "$conns" -t 2 -R "$conns" -d 5 -T 30 \
        --json "$tmp/client.json" "127.0.0.1:$port"
    kill -TERM "$srv_pid"
    wait "$srv_pid"
    srv_pid=
    jq -r --argjson c "$conns" '"client_load holding \($c) connections: peak RSS \(.client.peak_rss_kib) KiB (\(.client.peak_rss_kib / 1024 | floor) MiB), \(.totals.connections) connections made, \(.totals.requests) requests, \(.errors.total) errors"' "$tmp/client.json"
    [ "$(jq .errors.total "$tmp/client.json")" -eq 0 ]
}

main "$@"
