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
port=
ROOT=$PWD
TMPD=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap 'server_kill; rm -rf "$TMPD"' EXIT

# grind TOOL SECONDS: runs the client under callgrind; prints its command
# and "TOOL SECONDS REQUESTS INSTRUCTIONS" to $TMPD/rows.
grind() {
    local tool=$1 d=$2 reqs ir
    local -a cmd
    if [ "$tool" = client_load ]; then
        cmd=(bin/client_load -q -P http -s 64 -t 2 -c 64 -r 0 -d "$d"
            --json "$TMPD/cl.json" "127.0.0.1:$port")
    else
        cmd=(wrk -t2 -c64 "-d${d}s" "http://127.0.0.1:$port/64")
    fi
    local shown=${cmd[*]}
    echo "\$ valgrind --tool=callgrind ${shown//$TMPD\//}"
    rm -f "$TMPD"/cg.out*
    valgrind -q --tool=callgrind --callgrind-out-file="$TMPD/cg.out" \
        "${cmd[@]}" >"$TMPD/out" 2>"$TMPD/err" || die "$tool failed: $(cat "$TMPD/err" "$TMPD/out")"
    if [ "$tool" = client_load ]; then
        reqs=$(jq '.totals.requests - .errors.total' "$TMPD/cl.json")
    else
        reqs=$(awk '/requests in/ {print $1}' "$TMPD/out")
        ! grep -q 'Socket errors\|Non-2xx' "$TMPD/out" || die "wrk saw errors: $(cat "$TMPD/out")"
    fi
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$TMPD/cg.out")
    printf '%s\t%s\t%s\t%s\n' "$tool" "$d" "$reqs" "$ir" >>"$TMPD/rows"
}

report() {
    printf '\n%-12s %8s %10s %16s\n' tool seconds requests instructions
    awk -F'\t' '{ printf "%-12s %8s %10s %16s\n", $1, $2, $3, $4 }' "$TMPD/rows"
    echo
    echo "# instructions per request = (Ir long - Ir short) / (requests long - requests short)"
    awk -F'\t' '{ r[$1, ++k[$1]] = $3; i[$1, k[$1]] = $4 }
        END { n = split("client_load wrk", t, " ")
              for (j = 1; j <= n; j++)
                  printf "%-12s %8.0f instructions per request\n", t[j],
                      (i[t[j], 2] - i[t[j], 1]) / (r[t[j], 2] - r[t[j], 1]) }' "$TMPD/rows"
}

main() {
    [[ $short =~ ^[1-9][0-9]*$ && $long =~ ^[1-9][0-9]*$ && $long -gt $short ]] ||
        die "SHORT LONG: two whole numbers of seconds, LONG > SHORT"
    command -v valgrind >/dev/null || die "valgrind is missing: apt-get install valgrind"
    command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk"
    server_start "$TMPD/thread_server" thread http
    port=$PORT
    echo "# thread_server --protocol http on 127.0.0.1:$port, GET /64 (a 64-byte body)"
    : >"$TMPD/rows"
    local tool d
    for tool in client_load wrk; do
        for d in "$short" "$long"; do
            grind "$tool" "$d"
        done
    done
    server_stop
    report
}

main "$@"
