# lib.sh: what every experiment shares; sourced by bench/run.sh.
# Starting and stopping a pinned server, running a pinned client, and
# turning one measured point into one CSV row. Needs ROOT, RUN and TMPD.
# shellcheck shell=bash

BIN=${BIN:-$ROOT/bin}
# Short connections use ~1 ephemeral port each and leave it in TIME_WAIT for
# 60 s: spreading source addresses over 127.0.0.0/8 multiplies the ports.
SOURCE_RANGE=127.0.0.2-127.0.0.254

SRV_PID=
SRV_FD=
SRV_RC=
PORT=
CLIENT_RC=
PIN_SERVER=()
PIN_CLIENT=()
# PINNING: how the processes are pinned, in words (machine.json, report.md).
export PINNING="none (fewer than 2 CPUs): server and client share the CPUs"

die() {
    echo "bench: $*" >&2
    exit 1
}

# pin_setup: with at least two CPUs, the server (and every process or thread
# it spawns: affinity is inherited) runs on CPU 0 and the client on CPU 1.
pin_setup() {
    if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
        PIN_SERVER=(taskset -c 0)
        PIN_CLIENT=(taskset -c 1)
        PINNING="taskset: the server and everything it spawns on CPU 0, client_load (one worker thread) on CPU 1"
    fi
}

# server_start PREFIX MODEL PROTO [SERVER_ARGS...]: starts bin/MODEL_server
# on a kernel-chosen port with --stats PREFIX.server.json, stderr to
# PREFIX.server.err; returns once the server printed its listening line
# (read from a FIFO: no sleeping). Sets SRV_PID and PORT.
server_start() {
    local prefix=$1 model=$2 proto=$3 line
    shift 3
    local fifo=$TMPD/ready
    rm -f "$fifo" "$prefix.server.json"
    mkfifo "$fifo"
    "${PIN_SERVER[@]}" "$BIN/${model}_server" --port 0 -P "$proto" -q \
        --stats "$prefix.server.json" "$@" >"$fifo" 2>"$prefix.server.err" &
    SRV_PID=$!
    exec {SRV_FD}<"$fifo"
    rm -f "$fifo"
    if ! IFS= read -r -t 30 line <&"$SRV_FD"; then
        cat "$prefix.server.err" >&2
        die "${model}_server did not print its listening line"
    fi
    [[ $line =~ ^listening\ on\ [^\ ]+:([0-9]+)\ model=${model}\ .*pid=([0-9]+)$ ]] ||
        die "unexpected listening line: $line"
    PORT=${BASH_REMATCH[1]}
    [ "${BASH_REMATCH[2]}" = "$SRV_PID" ] || die "listening line names another pid: $line"
}

# server_stop: SIGTERM (a drain), waits; SRV_RC is the exit status. The stats
# file is complete once the server has exited.
server_stop() {
    SRV_RC=0
    kill -TERM "$SRV_PID"
    wait "$SRV_PID" || SRV_RC=$?
    SRV_PID=
    exec {SRV_FD}<&-
}

# server_kill: for the EXIT trap. A second SIGTERM during the drain exits at
# once and takes fork_server's children with it.
# Also stops a client that experiment 8 left holding connections (HOLD_PID).
server_kill() {
    if [ -n "${HOLD_PID:-}" ]; then
        kill -TERM "$HOLD_PID" 2>/dev/null || true
        wait "$HOLD_PID" 2>/dev/null || true
        HOLD_PID=
    fi
    [ -n "$SRV_PID" ] || return 0
    kill -TERM "$SRV_PID" 2>/dev/null || true
    kill -TERM "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
    SRV_PID=
}

# run_client PREFIX PROTO [CLIENT_ARGS...]: client_load against PORT, its
# JSON to PREFIX.client.json; CLIENT_RC is its exit status.
run_client() {
    local prefix=$1 proto=$2
    shift 2
    rm -f "$prefix.client.json"
    CLIENT_RC=0
    "${PIN_CLIENT[@]}" "$BIN/client_load" -P "$proto" -q \
        --json "$prefix.client.json" "$@" "127.0.0.1:$PORT" \
        2>"$prefix.client.err" || CLIENT_RC=$?
}

# The columns of every data/NN-*-runs.csv written by measure_point: one row
# per model x point x repeat. Latencies in microseconds; an empty field is a
# phase the run did not have (no connection phase with -r 0). missed:
# requests an open loop (-R) was due to send but could not (0 otherwise).
RUN_COLUMNS=model,concurrency,size,requests_per_conn,repeat,connections_per_s,requests_per_s,mb_per_s,connect_p50_us,connect_p99_us,connection_p50_us,connection_p90_us,connection_p99_us,connection_p99_9_us,connection_max_us,request_p50_us,request_p90_us,request_p99_us,request_p99_9_us,request_max_us,errors,client_rc,server_rc,server_accepted,server_cpu_us_per_conn,missed

# run_row MODEL REPEAT CLIENT_RC SERVER_RC CLIENT_JSON SERVER_JSON: prints one
# RUN_COLUMNS row. A missing client JSON counts as one error.
run_row() {
    local model=$1 repeat=$2 crc=$3 src=$4 cjson=$5 sjson=$6
    local server='{}'
    [ -s "$sjson" ] && server=$(cat "$sjson")
    if [ ! -s "$cjson" ]; then
        printf '%s,,,,%s,,,,,,,,,,,,,,,,1,%s,%s,,,\n' "$model" "$repeat" "$crc" "$src"
        return
    fi
    jq -r --arg model "$model" --argjson repeat "$repeat" --argjson crc "$crc" \
        --argjson src "$src" --argjson s "$server" '
        def ph(p; k): if .latency_us[p].count > 0 then .latency_us[p][k] else "" end;
        [$model, .config.connections, .config.size, .config.requests_per_conn,
         $repeat, .totals.connections_per_s, .totals.requests_per_s,
         (.totals.bytes_received_per_s / 1e6 * 1000 | round / 1000),
         ph("connect"; "p50"), ph("connect"; "p99"),
         ph("connection"; "p50"), ph("connection"; "p90"),
         ph("connection"; "p99"), ph("connection"; "p99_9"),
         ph("connection"; "max"),
         ph("request"; "p50"), ph("request"; "p90"), ph("request"; "p99"),
         ph("request"; "p99_9"), ph("request"; "max"),
         .errors.total, $crc, $src, ($s.accepted // ""),
         (if ($s.accepted // 0) > 0
          then (($s.cpu_user_s + $s.cpu_sys_s) / $s.accepted * 1e6 * 100 | round / 100)
          else "" end), (.totals.missed // "")] | @csv' "$cjson" | tr -d '"'
}

# append_row CSV HEADER ROW: appends ROW, writing HEADER first if CSV is new.
append_row() {
    [ -s "$1" ] || printf '%s\n' "$2" >"$1"
    printf '%s\n' "$3" >>"$1"
}

# measure_point EXP MODEL PROTO CONC SIZE RPC REPEAT DURATION [CLIENT_ARGS...]:
# one server process for one point: start it, warm up and measure with
# client_load (-c CONC -s SIZE -r RPC -d DURATION -w WARMUP), stop it, and
# append the row to data/EXP-runs.csv. Raw files: raw/EXP-MODEL-cC-sS-rRPC-repN.*
# Sets POINT_PREFIX (the raw files' common path).
#
# Experiments that vary something besides these (a server flag, an offered
# rate) set, for the next call only:
#   POINT_SERVER_ARGS  an array of server flags (--ballast-mb 64)
#   POINT_TAG          a word added to the raw files' names (b64)
#   POINT_COLS, POINT_VALS  extra columns appended to the row
#                      ("ballast_mb" and "64", comma-separated)
# measure_point resets all four.
POINT_SERVER_ARGS=()
POINT_TAG=
POINT_COLS=
POINT_VALS=
measure_point() {
    local exp=$1 model=$2 proto=$3 conc=$4 size=$5 rpc=$6 rep=$7 dur=$8
    shift 8
    local -a extra=("$@")
    [ "$rpc" -ne 1 ] || extra+=(--source "$SOURCE_RANGE")
    POINT_PREFIX=$RUN/raw/$exp-$model${POINT_TAG:+-$POINT_TAG}-c$conc-s$size-r$rpc-rep$rep
    server_start "$POINT_PREFIX" "$model" "$proto" "${POINT_SERVER_ARGS[@]}"
    run_client "$POINT_PREFIX" "$proto" -c "$conc" -s "$size" -r "$rpc" \
        -d "$dur" -w "$WARMUP" "${extra[@]}"
    server_stop
    local header=$RUN_COLUMNS row
    row=$(run_row "$model" "$rep" "$CLIENT_RC" "$SRV_RC" \
        "$POINT_PREFIX.client.json" "$POINT_PREFIX.server.json")
    if [ -n "$POINT_COLS" ]; then
        header+=,$POINT_COLS
        row+=,$POINT_VALS
    fi
    append_row "$RUN/data/$exp-runs.csv" "$header" "$row"
    POINT_SERVER_ARGS=()
    POINT_TAG=
    POINT_COLS=
    POINT_VALS=
}

# summarize EXP KEYS METRICS: data/EXP-runs.csv -> data/EXP.csv, one row per
# model x point: METRIC_median, _min, _max for each metric, n, errors.
summarize() {
    python3 "$ROOT/bench/summarize.py" "$RUN/data/$1-runs.csv" "$RUN/data/$1.csv" "$2" "$3"
}
