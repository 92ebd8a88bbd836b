#!/usr/bin/env bash
# syscalls.sh [CONNS]: the system calls each server makes per connection.
# Each server runs in echo mode under `strace -f -c` (children and threads
# followed) while bin/tests/tcpcheck makes CONNS (default 1,000) sequential
# 64-byte echo connections; then SIGTERM, and strace's summary is printed.
# Last, one table of both: each call's count and errors divided by CONNS.
# Calls under 0.1 per connection in both servers (start-up and exit) are
# only counted there. Needs strace; exits 1 if tcpcheck or a server fails.
set -euo pipefail
cd "$(dirname "$0")/.."

conns=${1:-1000}
ROOT=$PWD
TMPD=$(mktemp -d)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap 'server_kill; rm -rf "$TMPD"' EXIT

# trace SERVER: runs SERVER under strace over CONNS connections and prints
# the commands and strace's summary (also kept in $TMPD/SERVER.strace).
trace() {
    local s=$1
    SERVER_WRAP=(strace -f -c -o "$TMPD/$s.strace")
    server_start "$TMPD/$s" "${s%_server}" echo
    echo "\$ strace -f -c bin/$s --port 0 -P echo -q --stats FILE"
    echo "\$ bin/tests/tcpcheck seq $PORT $conns echo 64"
    bin/tests/tcpcheck seq "$PORT" "$conns" echo 64
    server_stop
    [ "$SRV_RC" -eq 0 ] || die "$s exited with status $SRV_RC: $(cat "$TMPD/$s.server.err")"
    SERVER_WRAP=()
    cat "$TMPD/$s.strace"
    echo
}

# per_conn: both summaries side by side, each count divided by CONNS.
per_conn() {
    echo "# per connection: calls (errors) / $conns, both servers; start-up and exit included"
    awk -v n="$conns" '
        FNR == 1 { srv++ }
        $NF == "total" || $1 ~ /^[-%]/ || NF < 5 { next }
        {
            name = $NF; calls = $4; errs = (NF == 6) ? $5 : 0
            c[name, srv] = calls; e[name, srv] = errs; names[name] = 1
        }
        function cell(x, y) {
            if (x == "") return "-"
            return (y > 0) ? sprintf("%.2f (%.2f)", x / n, y / n) : sprintf("%.2f", x / n)
        }
        END {
            printf "%-18s %-16s %s\n", "call", "fork_server", "thread_server"
            for (k in names) {
                if (c[k, 1] / n < 0.1 && c[k, 2] / n < 0.1) { small++; continue }
                printf "%-18s %-16s %s\n", k, cell(c[k, 1], e[k, 1]), cell(c[k, 2], e[k, 2]) | "sort"
            }
            close("sort")
            printf "(%d other calls: under 0.1 per connection in both)\n", small
        }' "$TMPD/fork_server.strace" "$TMPD/thread_server.strace"
}

main() {
    [[ $conns =~ ^[1-9][0-9]*$ ]] || die "CONNS: '$conns' is not a positive whole number"
    command -v strace >/dev/null || die "strace is missing: apt-get install strace"
    [ -x bin/tests/tcpcheck ] || die "bin/tests/tcpcheck is missing: make test-programs"
    local s
    for s in fork_server thread_server; do
        echo "## $s"
        trace "$s"
    done
    per_conn
}

main "$@"
