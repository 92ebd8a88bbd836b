#!/usr/bin/env bash
# real_clients.sh [SECONDS]: drives both servers in http mode with clients
# perconn did not write (curl, wrk -t2 -c64, ab -k -c64) and prints, per
# server and client, the requests served, requests/s, socket errors and
# non-2xx replies. Exits 1 if any client saw an error.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-5}
bad=0
port=
ROOT=$PWD
TMPD=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap 'server_kill; rm -rf "$TMPD"' EXIT

row() { printf '%-14s %-26s %10s %12s %8s %8s\n' "$@"; }

run_curl() {
    local n=0 i code
    for i in $(seq 1 200); do
        code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$i")
        [ "$code" = 200 ] && n=$((n + 1))
    done
    [ "$n" -eq 200 ] || bad=1
    row "$1" "curl x200 (new conn each)" 200 - 0 $((200 - n))
}

run_wrk() {
    local out reqs rps sock non2xx
    out=$(wrk -t2 -c64 -d"${secs}s" "http://127.0.0.1:$port/")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    sock=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    sock=${sock:-0}
    non2xx=${non2xx:-0}
    [ "$sock" -eq 0 ] && [ "$non2xx" -eq 0 ] || bad=1
    row "$1" "wrk -t2 -c64 -d${secs}s" "$reqs" "$rps" "$sock" "$non2xx"
}

run_ab() {
    local out n rps failed non2xx
    n=$((secs * 10000))
    out=$(ab -k -q -n "$n" -c 64 "http://127.0.0.1:$port/" 2>&1)
    rps=$(awk '/^Requests per second/ {print $4}' <<<"$out")
    failed=$(awk '/^Failed requests/ {print $3}' <<<"$out")
    non2xx=$(awk '/^Non-2xx responses/ {print $3}' <<<"$out")
    non2xx=${non2xx:-0}
    [ "${failed:-1}" -eq 0 ] && [ "$non2xx" -eq 0 ] || bad=1
    row "$1" "ab -k -n$n -c64" "$n" "$rps" "${failed:-?}" "$non2xx"
}

main() {
    echo "# $(uname -srm), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    row server client requests req/s sock_err non_2xx
    local s
    for s in fork_server thread_server; do
        server_start "$TMPD/$s" "${s%_server}" http
        port=$PORT
        run_curl "$s"
        run_wrk "$s"
        run_ab "$s"
        server_stop
        printf '%-14s server accounting: %s\n' "$s" \
            "$(jq -c '{accepted, requests, protocol_errors, refused}' "$TMPD/$s.server.json")"
    done
    exit "$bad"
}

main "$@"
