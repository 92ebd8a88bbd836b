#!/usr/bin/env bash
# client_rss.sh [CONNS]: how much memory client_load needs to hold CONNS
# (default 10,000) concurrent keep-alive connections. The target is
# thread_server with 64 KiB stacks; the client holds the connections for 5 s,
# sending CONNS requests/s in all, and its own peak RSS (getrusage, in its
# --json) is printed with its errors. Exits 1 on any client error.
set -euo pipefail
cd "$(dirname "$0")/.."

conns=${1:-10000}
ROOT=$PWD
TMPD=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap 'server_kill; rm -rf "$TMPD"' EXIT

main() {
    ulimit -n "$(ulimit -Hn)"
    if [ "$(ulimit -n)" -lt $((conns + 100)) ]; then
        echo "client_rss: the descriptor limit $(ulimit -n) is below $conns" >&2
        exit 1
    fi
    server_start "$TMPD/client_rss" thread echo --stack-size 64 --max-conns $((conns * 2)) \
        --backlog 4096
    local port=$PORT
    bin/client_load -q -P echo -r 0 -c "$conns" -t 2 -R "$conns" -d 5 -T 30 \
        --json "$TMPD/client.json" "127.0.0.1:$port"
    server_stop
    jq -r --argjson c "$conns" '"client_load holding \($c) connections: peak RSS \(.client.peak_rss_kib) KiB (\(.client.peak_rss_kib / 1024 | floor) MiB), \(.totals.connections) connections made, \(.totals.requests) requests, \(.errors.total) errors"' "$TMPD/client.json"
    [ "$(jq .errors.total "$TMPD/client.json")" -eq 0 ]
}

main "$@"
