#!/usr/bin/env bash
# callgrind.sh [SHORT LONG]: user-space instructions per keep-alive http
# request, client_load against wrk. Starts thread_server in http mode, then
# runs each client under `valgrind --tool=callgrind` (every thread counted)
# with -t2 -c64 for SHORT and for LONG seconds (default 2 and 6), asking for
# the same 64-byte reply. Instructions per request are the difference of the
# two runs' instruction totals (callgrind's Ir) over the difference of their
# requests, so start-up and exit cancel out. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."

short=${1:-2}
long=${2:-6}
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

die() {
    echo "callgrind: $*" >&2
    exit 1
}

start_server() {
    local line
    mkfifo "$tmp/ready"
    bin/thread_server --port 0 --protocol http >"$tmp/ready" 2>"$tmp/server.err" &
    srv_pid=$!
    exec 5<"$tmp/ready"
    rm -f "$tmp/ready"
    IFS= read -r -t 30 line <&5 || die "thread_server did not start: $(cat "$tmp/server.err")"
    port=${line#listening on 127.0.0.1:}
    port=${port%% *}
}

stop_server() {
    kill -TERM "$srv_pid"
    wait "$srv_pid"
    srv_pid=
    exec 5<&-
}

# grind TOOL SECONDS: runs the client under callgrind; prints its command
# and "TOOL SECONDS REQUESTS INSTRUCTIONS" to $tmp/rows.
grind() {
    local tool=$1 d=$2 reqs ir
    local -a cmd
    if [ "$tool" = client_load ]; then
        cmd=(bin/client_load -q -P http -s 64 -t 2 -c 64 -r 0 -d "$d"
            --json "$tmp/cl.json" "127.0.0.1:$port")
    else
        cmd=(wrk -t2 -c64 "-d${d}s" "http://127.0.0.1:$port/64")
    fi
    local shown=${cmd[*]}
    echo "\$ valgrind --tool=callgrind ${shown//$tmp\//}"
    rm -f "$tmp"/cg.out*
    valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
        "${cmd[@]}" >"$tmp/out" 2>"$tmp/err" || die "$tool failed: $(cat "$tmp/err" "$tmp/out")"
    if [ "$tool" = client_load ]; then
        reqs=$(jq '.totals.requests - .errors.total' "$tmp/cl.json")
    else
        reqs=$(awk '/requests in/ {print $1}' "$tmp/out")
        ! grep -q 'Socket errors\|Non-2xx' "$tmp/out" || die "wrk saw errors: $(cat "$tmp/out")"
    fi
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$tmp/cg.out")
    printf '%s\t%s\t%s\t%s\n' "$tool" "$d" "$reqs" "$ir" >>"$tmp/rows"
}

report() {
    printf '\n%-12s %8s %10s %16s\n' tool seconds requests instructions
    awk -F'\t' '{ printf "%-12s %8s %10s %16s\n", $1, $2, $3, $4 }' "$tmp/rows"
    echo
    echo "# instructions per request = (Ir long - Ir short) / (requests long - requests short)"
    awk -F'\t' '{ r[$1, ++k[$1]] = $3; i[$1, k[$1]] = $4 }
        END { n = split("client_load wrk", t, " ")
              for (j = 1; j <= n; j++)
                  printf "%-12s %8.0f instructions per request\n", t[j],
                      (i[t[j], 2] - i[t[j], 1]) / (r[t[j], 2] - r[t[j], 1]) }' "$tmp/rows"
}

main() {
    [[ $short =~ ^[1-9][0-9]*$ && $long =~ ^[1-9][0-9]*$ && $long -gt $short ]] ||
        die "SHORT LONG: two whole numbers of seconds, LONG > SHORT"
    command -v valgrind >/dev/null || die "valgrind is missing: apt-get install valgrind"
    command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk"
    start_server
    echo "# thread_server --protocol http on 127.0.0.1:$port, GET /64 (a 64-byte body)"
    : >"$tmp/rows"
    local tool d
    for tool in client_load wrk; do
        for d in "$short" "$long"; do
            grind "$tool" "$d"
        done
    done
    stop_server
    report
}

main "$@"
