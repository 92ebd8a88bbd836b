#!/usr/bin/env bash
# run.sh: client_load measured against wrk, the reference client.
#
#   bench/bench_client/run.sh [ROUNDS [SECONDS]]     (default 5 rounds of 5 s)
#
# Starts Debian's nginx on a free loopback port with nginx.conf.in (one
# worker, a 64-byte file at /64, no access log), then runs
# `client_load -P http` and wrk against it with the same threads and
# connections (THREADS, CONNS; default -t2 -c64), alternating which goes
# first, in two modes:
#   keep-alive   client_load -r 0         vs  wrk
#   new conn     client_load -r 1         vs  wrk -H 'Connection: close'
# For each run it prints requests/s, the tool's own CPU (user + system, from
# /usr/bin/time) per 1,000 requests, and its p50 and p99 latency; then, per
# mode, summary.py's medians over rounds and the ratio client_load/wrk of
# the medians with its 95 % interval. The bar: ratio >= 1.0 at no more CPU
# per request.
#
# Latency: wrk times a request from its first write to the reply's last
# byte; so does client_load's "request" phase (closed loop), in both modes.
#
# nginx runs on CPU 0 and the clients on CPU 1 when there are two CPUs or
# more (taskset). Machine-readable results: wrk's come from report.lua's
# done() hook (no per-request Lua), client_load's from --json.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLIENT=$ROOT/bin/client_load
NGINX=${NGINX:-/usr/sbin/nginx}
ROUNDS=${1:-5}
DURATION=${2:-5}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}

TMP=
NGINX_PID=
SERVER_CPU=()
CLIENT_CPU=()

die() {
    echo "bench_client: $*" >&2
    exit 1
}

cleanup() {
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -TERM "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    [ -z "$TMP" ] || rm -rf "$TMP"
}

check_tools() {
    [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS: '$ROUNDS' is not a positive whole number"
    [[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "SECONDS: '$DURATION' is not a positive whole number"
    [ -x "$CLIENT" ] || die "$CLIENT is missing: run make first"
    [ -x "$NGINX" ] || die "$NGINX is missing: apt-get install nginx-light (or nginx)"
    local t
    for t in wrk jq taskset ss; do
        command -v "$t" >/dev/null || die "$t is missing: apt-get install $t"
    done
    [ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
    if [ "$(nproc)" -ge 2 ]; then
        SERVER_CPU=(taskset -c 0)
        CLIENT_CPU=(taskset -c 1)
    fi
}

# A loopback port nothing listens on now (nginx says so if it is taken
# before it binds; start_nginx then tries another).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        if [ -z "$(ss -Htan "( sport = :$p )")" ]; then
            echo "$p"
            return
        fi
    done
}

write_config() {
    local port=$1
    head -c 64 /dev/zero | tr '\0' x >"$TMP/www/64"
    sed -e "s#@DIR@#$TMP#g" -e "s#@PORT@#$port#g" "$HERE/nginx.conf.in" >"$TMP/nginx.conf"
}

# Waits (bounded, 10 s) until nginx accepts on the port or has exited.
nginx_ready() {
    local port=$1 i
    for ((i = 0; i < 1000; i++)); do
        kill -0 "$NGINX_PID" 2>/dev/null || return 1
        if [ -n "$(ss -Htln "( sport = :$port )")" ]; then
            return 0
        fi
        sleep 0.01
    done
    return 1
}

start_nginx() {
    local tries
    for ((tries = 0; tries < 5; tries++)); do
        PORT=$(free_port)
        write_config "$PORT"
        "${SERVER_CPU[@]}" "$NGINX" -p "$TMP" -e "$TMP/error.log" \
            -c "$TMP/nginx.conf" </dev/null &
        NGINX_PID=$!
        if nginx_ready "$PORT"; then
            return 0
        fi
        kill -TERM "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=
    done
    cat "$TMP/error.log" >&2 || true
    die "nginx did not start"
}

# timed FILE CMD...: runs CMD on the client CPU; its user + system CPU
# seconds go to FILE.
timed() {
    local out=$1
    shift
    "${CLIENT_CPU[@]}" /usr/bin/time -f '%U %S' -o "$out" "$@"
}

cpu_of() { awk '{ printf "%.3f", $1 + $2 }' "$1"; }

# run_client MODE: one client_load run; prints "req/s cpu_s requests p50 p99 errors".
run_client() {
    local r=0
    [ "$1" = close ] && r=1
    timed "$TMP/time" "$CLIENT" -q -P http -s 64 -t "$THREADS" -c "$CONNS" \
        -r "$r" -d "$DURATION" --json "$TMP/client.json" "127.0.0.1:$PORT" ||
        die "client_load failed: see $TMP"
    local cpu
    cpu=$(cpu_of "$TMP/time")
    jq -r --arg cpu "$cpu" '[(.totals.requests_per_s | floor), $cpu,
        .totals.requests, .latency_us.request.p50, .latency_us.request.p99,
        .errors.total] | @tsv' "$TMP/client.json"
}

# run_wrk MODE: one wrk run, the same line as run_client.
run_wrk() {
    local -a hdr=()
    [ "$1" = close ] && hdr=(-H 'Connection: close')
    timed "$TMP/time" wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" \
        "${hdr[@]}" -s "$HERE/report.lua" "http://127.0.0.1:$PORT/64" \
        >"$TMP/wrk.out" || die "wrk failed: $(cat "$TMP/wrk.out")"
    local cpu
    cpu=$(cpu_of "$TMP/time")
    awk -F'\t' -v cpu="$cpu" '$1 == "RESULT" {
        printf "%d\t%s\t%d\t%s\t%s\t%d\n", $2 / ($6 / 1e6), cpu, $2, $4, $5, $3
    }' "$TMP/wrk.out"
}

print_run() {
    local mode=$1 round=$2 tool=$3 line=$4 rps cpu req p50 p99 err
    IFS=$'\t' read -r rps cpu req p50 p99 err <<<"$line"
    printf '%-10s %5s  %-11s %10s %10s %8s %10.4f %9.1f %9.1f %6s\n' \
        "$mode" "$round" "$tool" "$req" "$rps" "$cpu" \
        "$(awk -v c="$cpu" -v n="$req" 'BEGIN { print n ? c * 1000 / n : 0 }')" \
        "$p50" "$p99" "$err"
    echo "$mode	$round	$tool	$rps	$cpu	$req	$p50	$p99	$err" >>"$TMP/runs.tsv"
}

header() {
    local cpus=${CLIENT_CPU[*]:-no pinning (1 CPU)}
    echo "# $(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), 1 worker${SERVER_CPU[*]:+ on CPU 0}," \
        "127.0.0.1:$PORT, 64-byte file; clients: ${cpus/taskset -c /CPU }," \
        "-t$THREADS -c$CONNS, $ROUNDS rounds x ${DURATION}s"
    echo "# latency in us, from the request's first write to the reply's last byte" \
        "(client_load: its request phase)"
    printf '%-10s %5s  %-11s %10s %10s %8s %10s %9s %9s %6s\n' mode round tool \
        requests req/s cpu_s cpu_s/1k p50_us p99_us errors
}

main() {
    check_tools
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    TMP=$(mktemp -d /tmp/bench_client.XXXXXX)
    chmod 755 "$TMP"                # nginx's worker runs as nobody
    mkdir -p "$TMP/www" "$TMP/tmp"
    start_nginx
    header
    : >"$TMP/runs.tsv"
    local round mode
    for ((round = 1; round <= ROUNDS; round++)); do
        for mode in keep-alive close; do
            # Alternate which tool goes first, so neither always gets the
            # warmer (or the more tired) server.
            if ((round % 2)); then
                print_run "$mode" "$round" client_load "$(run_client "$mode")"
                print_run "$mode" "$round" wrk "$(run_wrk "$mode")"
            else
                print_run "$mode" "$round" wrk "$(run_wrk "$mode")"
                print_run "$mode" "$round" client_load "$(run_client "$mode")"
            fi
        done
    done
    python3 "$HERE/summary.py" "$TMP/runs.tsv" "$ROUNDS"
}

main "$@"
