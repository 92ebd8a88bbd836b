# lib.sh: what every experiment shares; sourced by bench/run.sh.
# Starting and stopping a pinned server, running a pinned client, and
# turning one measured point into one CSV row. Needs ROOT, RUN and TMPD.
# shellcheck shell=bash

BIN=${BIN:-$ROOT/bin}
# Short connections use ~1 ephemeral port each and leave it in TIME_WAIT for
# 60 s: spreading source addresses over 127.0.0.0/8 multiplies the ports.
# With the server on another host, loopback sources cannot reach it:
# CLIENT_SOURCES (a --source range of this machine's addresses) may take
# their place (ports_setup).
SOURCE_ARGS=(--source 127.0.0.2-127.0.0.254)
# shellcheck source=bench/remote.sh
source "$ROOT/bench/remote.sh"

SRV_PID=
SRV_JOB=
SRV_PREFIX=
SRV_FD=
SRV_RC=
PORT=
CLIENT_RC=
PIN_SERVER=()
PIN_CLIENT=()
CLIENT_THREADS=1
BENCH_CPUS=()
REPEAT_STOP=
REPEAT_WIDEST=
CHILDREN_CPU_S=0
# PINNING: how the processes are pinned, in words (machine.json, report.md).
export PINNING="none (fewer than 2 CPUs): server and client share the CPUs"
export SERVER_CPUS=${SERVER_CPUS:-} CLIENT_CPUS=${CLIENT_CPUS:-} CLIENT_THREADS

die() {
    echo "bench: $*" >&2
    exit 1
}

# expand_cpus LIST: a taskset list (0,2-3) as one CPU per line.
expand_cpus() {
    tr ',' '\n' <<<"$1" | awk -F- 'NF { for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }'
}

# cpu_list [on_server]: the CPUs a shell may run on (its affinity), one per
# line: one started here, or (on_server) one started on the server's host.
cpu_list() {
    local out list
    # shellcheck disable=SC2016  # expanded by that shell
    out=$("$@" bash -c 'taskset -pc $$ 2>/dev/null | sed "s/.*: *//"; nproc') || out=
    list=$(head -n -1 <<<"$out")
    [ -n "$list" ] || list=0-$(($(tail -n 1 <<<"$out") - 1))
    expand_cpus "$list"
}

# cpus_within LIST WHAT WHERE CPU...: dies unless every CPU of the taskset
# LIST is one of CPU... (WHAT names the variables, WHERE who may use them).
cpus_within() {
    local list=$1 what=$2 where=$3 c
    shift 3
    for c in $(expand_cpus "$list"); do
        printf '%s\n' "$@" | grep -qx "$c" ||
            die "CPU $c ($what) is not one $where ($*)"
    done
}

# pin_setup: where the server (and every process or thread it spawns:
# affinity is inherited) and client_load run. SERVER_CPUS and CLIENT_CPUS
# (taskset lists, from the environment or the profile) choose; by default,
# with at least two CPUs, the server gets the first and client_load all the
# others, so the client has as many CPUs as the machine can give it (the
# client-saturation check says whether that was enough). client_load runs
# one worker thread per CPU (-t). BENCH_CPUS are the CPUs the interference
# check accounts for. With SERVER_HOST, remote_pin_setup.
pin_setup() {
    [ -z "$SERVER_HOST" ] || { remote_pin_setup; return; }
    local -a mine
    mapfile -t mine < <(cpu_list)
    if [ -n "$SERVER_CPUS$CLIENT_CPUS" ]; then
        if [ -z "$SERVER_CPUS" ] || [ -z "$CLIENT_CPUS" ]; then
            die "SERVER_CPUS and CLIENT_CPUS go together (taskset lists, e.g. 0 and 1-3)"
        fi
        cpus_within "$SERVER_CPUS,$CLIENT_CPUS" "SERVER_CPUS=$SERVER_CPUS CLIENT_CPUS=$CLIENT_CPUS" \
            "this shell may use" "${mine[@]}"
    elif [ "${#mine[@]}" -ge 2 ]; then
        SERVER_CPUS=${mine[0]}
        CLIENT_CPUS=$(IFS=,; echo "${mine[*]:1}")
    fi
    if [ -z "$SERVER_CPUS" ] || ! command -v taskset >/dev/null; then
        BENCH_CPUS=("${mine[@]}")
        CLIENT_THREADS=${#mine[@]}
        SERVER_CPUS='' CLIENT_CPUS=''
        return
    fi
    mapfile -t BENCH_CPUS < <({ expand_cpus "$SERVER_CPUS"; expand_cpus "$CLIENT_CPUS"; } | sort -nu)
    CLIENT_THREADS=$(expand_cpus "$CLIENT_CPUS" | wc -l)
    PIN_SERVER=(taskset -c "$SERVER_CPUS")
    PIN_CLIENT=(taskset -c "$CLIENT_CPUS")
    local shared=
    [ -z "$(comm -12 <(expand_cpus "$SERVER_CPUS" | sort) <(expand_cpus "$CLIENT_CPUS" | sort))" ] ||
        shared=" (shared with the server)"
    PINNING="taskset: the server and everything it spawns on CPU $SERVER_CPUS, client_load on CPU $CLIENT_CPUS$shared ($(threads_words))"
}

threads_words() {
    echo "$CLIENT_THREADS worker thread$([ "$CLIENT_THREADS" -eq 1 ] || echo s), -t $CLIENT_THREADS"
}

# remote_pin_setup: pin_setup with the server on SERVER_HOST: SERVER_CPUS
# (default: its first CPU, as on one machine) is a list of that host's CPUs,
# CLIENT_CPUS (default: all of this machine's) of this one's. BENCH_CPUS are
# this machine's, SERVER_HOST_CPUS the server host's.
remote_pin_setup() {
    local -a mine theirs
    mapfile -t mine < <(cpu_list)
    mapfile -t theirs < <(cpu_list on_server)
    SERVER_CPUS=${SERVER_CPUS:-${theirs[0]}}
    CLIENT_CPUS=${CLIENT_CPUS:-$(IFS=,; echo "${mine[*]}")}
    cpus_within "$SERVER_CPUS" "SERVER_CPUS=$SERVER_CPUS" "$SERVER_HOST lets the server use" \
        "${theirs[@]}"
    cpus_within "$CLIENT_CPUS" "CLIENT_CPUS=$CLIENT_CPUS" "this shell may use" "${mine[@]}"
    mapfile -t BENCH_CPUS < <(expand_cpus "$CLIENT_CPUS")
    mapfile -t SERVER_HOST_CPUS < <(expand_cpus "$SERVER_CPUS")
    CLIENT_THREADS=${#BENCH_CPUS[@]}
    PIN_SERVER=(taskset -c "$SERVER_CPUS")
    PIN_CLIENT=(taskset -c "$CLIENT_CPUS")
    PINNING="taskset: the server and everything it spawns on CPU $SERVER_CPUS of $SERVER_HOST, client_load on CPU $CLIENT_CPUS of this machine ($(threads_words))"
}

# mem_available_kib: the server's machine's MemAvailable, KiB.
mem_available_kib() {
    # shellcheck disable=SC2016  # an awk program
    on_server awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

# busy_before: how many CPUs other programs kept busy over one second on the
# CPUs the bench will use, before the run (a sampling interval, not a wait
# for anything); warns when that is over DISTURB_SHARE, and exports
# BUSY_BEFORE and BUSY_FLAG for machine.json.
busy_before() {
    local s0 s1 t0 t1
    t0=$EPOCHREALTIME s0=$(cpu_snapshot)
    sleep 1
    t1=$EPOCHREALTIME s1=$(cpu_snapshot)
    BUSY_BEFORE=$(awk -v a="${s0%% *}" -v b="${s1%% *}" -v t0="${t0/,/.}" -v t1="${t1/,/.}" \
        -v tck="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / tck / (t1 - t0) }')
    BUSY_FLAG=$(awk -v b="$BUSY_BEFORE" -v s="$DISTURB_SHARE" 'BEGIN { print (b > s) ? 1 : 0 }')
    if [ "$BUSY_FLAG" -eq 1 ]; then
        echo "bench: warning: the machine is busy before the run: other programs use" \
            "$BUSY_BEFORE CPUs (load average $(cut -d' ' -f1 /proc/loadavg)); the runs they" \
            "disturb will be marked and measured again" >&2
    fi
    export BUSY_BEFORE BUSY_FLAG
}

# guess_rate MODEL: a rough short-connections/s of MODEL's server on this
# machine, for the plan's estimates only (the ETA and the verdict steps'
# shares of the time budget): from one quick round of bin/spawn_cost (a
# connection costs about three spawns' time with its accept, reply and
# exit), measured once per run.
guess_rate() {
    local f=$TMPD/spawn_guess.csv
    if [ ! -s "$f" ]; then
        on_server "${PIN_SERVER[@]}" "$SROOT/bin/spawn_cost" -n 20 -r 1 -b 0 >"$f" 2>/dev/null ||
            printf 'ballast_mb,primitive,calls,round,us_per_call\n0,fork,20,1,500\n0,thread,20,1,50\n' >"$f"
    fi
    awk -F, -v m="$1" '$2 == m { printf "%d\n", 1e6 / (3 * $5 + 60) }' "$f"
}

# server_cpu_count: how many CPUs the server has.
server_cpu_count() {
    if [ -n "$SERVER_CPUS" ]; then expand_cpus "$SERVER_CPUS" | wc -l; else echo "${#BENCH_CPUS[@]}"; fi
}

# server_start PREFIX MODEL PROTO [SERVER_ARGS...]: starts bin/MODEL_server
# on a kernel-chosen port with --stats PREFIX.server.json, stderr to
# PREFIX.server.err, under SERVER_WRAP (a command prefix such as strace, or
# nothing); returns once the server printed its listening line (read from a
# FIFO: no sleeping). Sets SRV_PID (the server's pid, from that line),
# SRV_JOB (the process this shell started and waits for: the server itself
# unless wrapped, or the ssh that started it on SERVER_HOST) and PORT.
SERVER_WRAP=()
server_start() {
    local prefix=$1 model=$2 proto=$3 line
    shift 3
    local fifo=$TMPD/ready stats=$prefix.server.json
    SRV_PREFIX=$prefix
    rm -f "$fifo" "$stats" "$prefix.where"
    mkfifo "$fifo"
    [ -z "$SERVER_HOST" ] || stats=$SROOT/stats/${prefix##*/}.server.json
    local -a cmd=("${PIN_SERVER[@]}" "${SERVER_WRAP[@]}" "$SROOT/bin/${model}_server" --port 0
                  "${SERVER_LISTEN[@]}" -P "$proto" -q --stats "$stats" "$@")
    if [ -n "$SERVER_HOST" ]; then
        ssh_srv "$(remote_exec "$prefix" "${cmd[@]}")" </dev/null >"$fifo" 2>"$prefix.server.err" &
    else
        "${cmd[@]}" >"$fifo" 2>"$prefix.server.err" &
    fi
    SRV_JOB=$!
    SRV_PID=$SRV_JOB
    exec {SRV_FD}<"$fifo"
    rm -f "$fifo"
    if ! IFS= read -r -t 30 line <&"$SRV_FD"; then
        cat "$prefix.server.err" >&2
        die "${model}_server did not print its listening line"
    fi
    [[ $line =~ ^listening\ on\ [^\ ]+:([0-9]+)\ model=${model}\ .*pid=([0-9]+)$ ]] ||
        die "unexpected listening line: $line"
    PORT=${BASH_REMATCH[1]}
    if [ "${#SERVER_WRAP[@]}" -gt 0 ] || [ -n "$SERVER_HOST" ]; then
        SRV_PID=${BASH_REMATCH[2]}
    elif [ "${BASH_REMATCH[2]}" != "$SRV_PID" ]; then
        die "listening line names another pid: $line"
    fi
}

# server_stop: SIGTERM (a drain), waits; SRV_RC is the exit status (of the
# wrapper, when there is one). The stats file is complete once the server
# has exited.
server_stop() {
    SRV_RC=0
    on_server kill -TERM "$SRV_PID"
    wait "$SRV_JOB" || SRV_RC=$?
    remote_stats "$SRV_PREFIX"
    SRV_PID=
    SRV_JOB=
    exec {SRV_FD}<&-
}

# server_kill: for the EXIT trap. Runs CLEANUP_HOOKS first (an experiment
# adds a function there to stop what it started besides the server), then
# stops the server: a second SIGTERM during the drain exits at once and
# takes fork_server's children with it.
CLEANUP_HOOKS=()
server_kill() {
    local hook
    for hook in "${CLEANUP_HOOKS[@]}"; do
        "$hook"
    done
    [ -n "$SRV_PID" ] || return 0
    on_server kill -TERM "$SRV_PID" 2>/dev/null || true
    on_server kill -TERM "$SRV_PID" 2>/dev/null || true
    wait "$SRV_JOB" 2>/dev/null || true
    SRV_PID=
    SRV_JOB=
}

# target: HOST:PORT of the server for client_load (an IPv6 TARGET bracketed).
target() {
    if [[ $TARGET == *:* ]]; then echo "[$TARGET]:$PORT"; else echo "$TARGET:$PORT"; fi
}

# run_client PREFIX PROTO [CLIENT_ARGS...]: client_load against PORT, its
# JSON to PREFIX.client.json; CLIENT_RC is its exit status.
run_client() {
    local prefix=$1 proto=$2
    shift 2
    rm -f "$prefix.client.json"
    CLIENT_RC=0
    "${PIN_CLIENT[@]}" "$BIN/client_load" -P "$proto" -q -t "$CLIENT_THREADS" \
        --json "$prefix.client.json" "$@" "$(target)" \
        2>"$prefix.client.err" || CLIENT_RC=$?
}

# ---- interference and client saturation -----------------------------------
# Around every measured point the bench reads what the CPUs it uses
# (BENCH_CPUS) did: /proc/stat's busy time, minus the server's CPU (its own
# and its reaped children's, from its accounting JSON), the client's (from
# its JSON) and the kernel's work (irq and softirq time, and the kernel
# threads on those CPUs: loopback traffic is processed in softirq and
# ksoftirqd, a fork child's exit is finished by kworkers and RCU; that is
# the test's cost), is what other programs took. Steal time is the
# hypervisor's. Either above DISTURB_SHARE of one CPU over the point's wall
# time, and above the clock tick's resolution (two ticks per CPU), marks the
# point disturbed; measure_point then measures it again. Subtracting all
# irq/softirq time is conservative: part of it was already in the server's
# or client's system time, so "others" is never overstated.
CLK_TCK=$(getconf CLK_TCK)
WIN_T0=
WIN_S0=
WIN_T1=
WIN_S1=
WIN_DISTURBED=0
WIN_WORDS=
WIN_ROW=
WIN_COLUMNS=others_cpu_s,steal_s,kernel_cpu_s,client_cpu_share,client_bound,disturbed,loadavg

# cpu_snapshot: "BUSY IRQ STEAL KTHREADS SERVER" in clock ticks
# (bench/cpusnap.sh) over BENCH_CPUS, and, when the server runs on its own
# host, over SERVER_HOST_CPUS there too (the two summed: the check then
# covers both machines).
cpu_snapshot() {
    if [ -z "$SERVER_HOST" ]; then
        "$ROOT/bench/cpusnap.sh" "${BENCH_CPUS[*]}" "${SRV_PID:-0}"
        return
    fi
    {
        "$ROOT/bench/cpusnap.sh" "${BENCH_CPUS[*]}" 0
        on_server "$SROOT/bench/cpusnap.sh" "${SERVER_HOST_CPUS[*]}" "${SRV_PID:-0}"
    } | awk '{ for (i = 1; i <= NF; i++) t[i] += $i }
             END { printf "%d %d %d %d %d\n", t[1], t[2], t[3], t[4], t[5] }'
}

window_begin() {
    WIN_S0=$(cpu_snapshot)
    WIN_T0=$EPOCHREALTIME
}

window_end() {
    WIN_T1=$EPOCHREALTIME
    WIN_S1=$(cpu_snapshot)
}

# window_row SERVER_CPU_S CLIENT_CPU_S: sets WIN_ROW to the WIN_COLUMNS of
# the last window (SERVER_CPU_S: the server's CPU total at its exit, which
# the window's start snapshot is subtracted from; CLIENT_CPU_S: the
# client's own), WIN_DISTURBED (0 or 1) and WIN_WORDS (the figures in
# words). An empty CPU (no JSON) counts as 0.
window_row() {
    local row
    row=$(awk -v s0="$WIN_S0" -v s1="$WIN_S1" -v t0="${WIN_T0/,/.}" -v t1="${WIN_T1/,/.}" \
        -v srv="${1:-0}" -v cli="${2:-0}" -v tck="$CLK_TCK" -v ncli="$CLIENT_THREADS" \
        -v share="$DISTURB_SHARE" -v bound="$CLIENT_BOUND_SHARE" -v ncpu=$((${#BENCH_CPUS[@]} + ${#SERVER_HOST_CPUS[@]})) '
        BEGIN {
            split(s0, a, " "); split(s1, b, " ")
            wall = t1 - t0; if (wall <= 0) wall = 1e-6
            # A kernel thread that exits takes its whole CPU time out of the
            # sum: the kernel threads never count as less than nothing.
            kt = b[4] - a[4]; if (kt < 0) kt = 0
            net = (b[2] - a[2] + kt) / tck
            server = srv - a[5] / tck; if (server < 0) server = 0
            others = (b[1] - a[1]) / tck - server - cli - net; if (others < 0) others = 0
            steal = (b[3] - a[3]) / tck
            cshare = cli / (wall * ncli)
            floor = 2 * ncpu / tck
            disturbed = ((others > floor && others / wall > share) ||
                         (steal > floor && steal / wall > share)) ? 1 : 0
            getline load < "/proc/loadavg"; split(load, l, " ")
            printf "%.3f,%.3f,%.3f,%.3f,%d,%d,%s\n", others, steal, net, cshare,
                   (cshare >= bound) ? 1 : 0, disturbed, l[1]
        }')
    WIN_DISTURBED=$(cut -d, -f6 <<<"$row")
    WIN_WORDS="other programs used $(cut -d, -f1 <<<"$row") s of CPU, steal $(cut -d, -f2 <<<"$row") s, in $(awk -v a="${WIN_T0/,/.}" -v b="${WIN_T1/,/.}" 'BEGIN { printf "%.2f", b - a }') s"
    WIN_ROW=$row
}

# measure_again ATTEMPT WHAT: true (and says so) when the window just ended
# was disturbed, DISTURB_RETRIES allow another attempt after ATTEMPT, and the
# profile's TIME_BUDGET is not spent (a busy machine must not make the run
# endless: its runs then stay marked disturbed).
measure_again() {
    if [ "$WIN_DISTURBED" -ne 1 ] || [ "$1" -gt "$DISTURB_RETRIES" ]; then
        return 1
    fi
    if [ $(($(now_ms) - BENCH_START_MS)) -gt $((TIME_BUDGET * 1000)) ]; then
        echo "bench: $2: disturbed ($WIN_WORDS); no time left to measure it again" >&2
        return 1
    fi
    echo "bench: $2: disturbed ($WIN_WORDS); measuring again" >&2
}

# children_cpu: sets CHILDREN_CPU_S to the user+sys seconds of this shell's
# finished children so far (bash's times). Call it as a command, never in
# $(...): a subshell is a new process whose children's times start at 0.
children_cpu() {
    times >"$TMPD/times"
    # shellcheck disable=SC2034  # read by the experiments that call it
    CHILDREN_CPU_S=$(times_cpu <"$TMPD/times")
}

# times_cpu: the children's user+sys seconds from bash's `times` on stdin.
times_cpu() {
    awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] }
                   print s }'
}

# server_timed CMD...: runs CMD on the server's host (on_server) and sets
# TIMED_CPU_S to the user+sys seconds it and its children used; its exit
# status is CMD's. There, a bash around CMD reads its own `times`.
# shellcheck disable=SC2034  # read by the experiments that call it
TIMED_CPU_S=0
server_timed() {
    if [ -z "$SERVER_HOST" ]; then
        children_cpu
        local a=$CHILDREN_CPU_S rc=0
        "$@" || rc=$?
        children_cpu
        TIMED_CPU_S=$(awk -v a="$a" -v b="$CHILDREN_CPU_S" 'BEGIN { print b - a }')
        return "$rc"
    fi
    local times=$SROOT/stats/timed.times rc=0
    # shellcheck disable=SC2016  # expanded by the remote bash
    on_server bash -c '"$@"; rc=$?; times >"$0"; exit $rc' "$times" "$@" || rc=$?
    # shellcheck disable=SC2034
    TIMED_CPU_S=$(ssh_srv "cat ${times@Q}; rm -f ${times@Q}" </dev/null | times_cpu)
    return "$rc"
}

# json_cpu FILE PATH: user+sys seconds at jq PATH (.client or .) of a JSON
# file, or nothing when the file is missing.
json_cpu() {
    [ -s "$1" ] || return 0
    jq -r "$2 | ((.cpu_user_s // 0) + (.cpu_sys_s // 0))" "$1"
}

# The columns of every data/NN-*-runs.csv written by measure_point: one row
# per model x point x repeat. Latencies in microseconds; an empty field is a
# phase the run did not have (no connection phase with -r 0). missed:
# requests an open loop (-R) was due to send but could not (0 otherwise).
# ports_exhausted: connects that found no free local port (the client's
# limit, not the server's: such a run is flagged). attempt: 1, or 2, 3... for a point measured again because the one before
# was disturbed; then the WIN_COLUMNS of the interference check.
RUN_COLUMNS=model,concurrency,size,requests_per_conn,repeat,attempt,connections_per_s,requests_per_s,mb_per_s,connect_p50_us,connect_p99_us,connection_p50_us,connection_p90_us,connection_p99_us,connection_p99_9_us,connection_max_us,request_p50_us,request_p90_us,request_p99_us,request_p99_9_us,request_max_us,errors,client_rc,server_rc,server_accepted,server_cpu_us_per_conn,missed,ports_exhausted

# run_row MODEL CONC SIZE RPC REPEAT ATTEMPT CLIENT_RC SERVER_RC CLIENT_JSON
# SERVER_JSON: prints the RUN_COLUMNS of one run up to ports_exhausted (the caller
# appends the WIN_COLUMNS). A missing client JSON counts as one error.
run_row() {
    local model=$1 conc=$2 size=$3 rpc=$4 repeat=$5 attempt=$6 crc=$7 src=$8 cjson=$9
    local sjson=${10} server='{}'
    [ -s "$sjson" ] && server=$(cat "$sjson")
    if [ ! -s "$cjson" ]; then
        printf '%s,%s,%s,%s,%s,%s,,,,,,,,,,,,,,,,1,%s,%s,,,,\n' \
            "$model" "$conc" "$size" "$rpc" "$repeat" "$attempt" "$crc" "$src"
        return
    fi
    jq -r --arg model "$model" --argjson repeat "$repeat" --argjson crc "$crc" \
        --argjson attempt "$attempt" --argjson src "$src" --argjson s "$server" '
        def ph(p; k): if .latency_us[p].count > 0 then .latency_us[p][k] else "" end;
        [$model, .config.connections, .config.size, .config.requests_per_conn,
         $repeat, $attempt, .totals.connections_per_s, .totals.requests_per_s,
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
          else "" end), (.totals.missed // ""),
         (.errors.ports_exhausted // 0)] | @csv' "$cjson" | tr -d '"'
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
# (-repN-aK for attempt K). A disturbed run is kept (disturbed=1) and the
# point measured again, at most DISTURB_RETRIES times.
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
    [ "$rpc" -ne 1 ] || extra+=("${SOURCE_ARGS[@]}")
    local header=$RUN_COLUMNS,$WIN_COLUMNS row attempt=1 base
    base=$RUN/raw/$exp-$model${POINT_TAG:+-$POINT_TAG}-c$conc-s$size-r$rpc-rep$rep
    [ -z "$POINT_COLS" ] || header+=,$POINT_COLS
    while :; do
        POINT_PREFIX=$base
        [ "$attempt" -eq 1 ] || POINT_PREFIX+=-a$attempt
        server_start "$POINT_PREFIX" "$model" "$proto" "${POINT_SERVER_ARGS[@]}"
        window_begin
        run_client "$POINT_PREFIX" "$proto" -c "$conc" -s "$size" -r "$rpc" \
            -d "$dur" -w "$WARMUP" "${extra[@]}"
        window_end
        server_stop
        row=$(run_row "$model" "$conc" "$size" "$rpc" "$rep" "$attempt" "$CLIENT_RC" \
            "$SRV_RC" "$POINT_PREFIX.client.json" "$POINT_PREFIX.server.json")
        window_row "$(json_cpu "$POINT_PREFIX.server.json" .)" \
            "$(json_cpu "$POINT_PREFIX.client.json" .client)"
        row+=,$WIN_ROW
        [ -z "$POINT_COLS" ] || row+=,$POINT_VALS
        append_row "$RUN/data/$exp-runs.csv" "$header" "$row"
        measure_again "$attempt" "${POINT_PREFIX##*/}" || break
        attempt=$((attempt + 1))
    done
    POINT_SERVER_ARGS=()
    POINT_TAG=
    POINT_COLS=
    POINT_VALS=
}

# measure_pairs EXP PROTO CONC SIZE RPC DURATION MIN METRICS [CLIENT_ARGS...]:
# one point of an experiment, both models, in interleaved pairs of
# measure_point (fork then thread, then thread then fork, ...: a drift of the
# machine hits both). METRICS (comma-separated RUN_COLUMNS, or "") are the
# point's verdicts: then at least VERDICT_REPEATS pairs are run, and more
# until every metric's thread/fork ratio has a 95 % interval no wider than
# ±CI_TARGET of the ratio (bench/stats.py), MAX_REPEATS pairs are done, or
# the next pair would overrun the step's budget (STEP_BUDGET_MS, set by
# run.sh) or the profile's TIME_BUDGET. Without METRICS, MIN pairs. The
# POINT_* variables apply to every run of the point. One row per point goes
# to data/repeats.csv: the pairs run and why they stopped.
measure_pairs() {
    local exp=$1 proto=$2 conc=$3 size=$4 rpc=$5 dur=$6 min=$7 metrics=$8
    shift 8
    local -a sargs=("${POINT_SERVER_ARGS[@]}")
    local tag=$POINT_TAG cols=$POINT_COLS vals=$POINT_VALS
    local flt="concurrency=$conc,size=$size,requests_per_conn=$rpc" k
    local -a ck cv
    IFS=, read -r -a ck <<<"$cols"
    IFS=, read -r -a cv <<<"$vals"
    for k in "${!ck[@]}"; do flt+=",${ck[$k]}=${cv[$k]}"; done
    if [ -n "$metrics" ] && [ "$min" -lt "$VERDICT_REPEATS" ]; then min=$VERDICT_REPEATS; fi
    local rep=0 start m
    start=$(now_ms)
    while :; do
        rep=$((rep + 1))
        for m in $(pair_order "$rep"); do
            POINT_SERVER_ARGS=("${sargs[@]}") POINT_TAG=$tag POINT_COLS=$cols POINT_VALS=$vals
            measure_point "$exp" "$m" "$proto" "$conc" "$size" "$rpc" "$rep" "$dur" "$@"
        done
        [ "$rep" -ge "$min" ] || continue
        [ -n "$metrics" ] || { REPEAT_STOP=minimum REPEAT_WIDEST=''; break; }
        ! repeat_more "$RUN/data/$exp-runs.csv" "$flt" "$metrics" "$rep" "$start" || continue
        break
    done
    repeats_row "$exp" "${flt//,/ }" "$metrics" "$rep" "$start"
    POINT_SERVER_ARGS=() POINT_TAG='' POINT_COLS='' POINT_VALS=''
}

# pair_order K: the models' order in the K-th pair: fork first in odd pairs.
pair_order() {
    if [ $(($1 % 2)) -eq 1 ]; then echo fork thread; else echo thread fork; fi
}

# repeat_more RUNS_CSV FILTER METRICS DONE START_MS: whether a point that has
# DONE pairs (or rounds) needs another: no when every metric's interval is
# within CI_TARGET, MAX_REPEATS are done, or one more (at the mean pace so
# far) would overrun STEP_BUDGET_MS or the profile's TIME_BUDGET. Sets
# REPEAT_STOP (target, max_repeats, step_budget, time_budget) and
# REPEAT_WIDEST (the widest half-width, % of its ratio).
repeat_more() {
    local done=$4 spent=$(($(now_ms) - $5))
    if REPEAT_WIDEST=$(python3 "$ROOT/bench/stats.py" converged "$1" "$2" "$3" "$CI_TARGET"); then
        REPEAT_STOP=target
    elif [ "$done" -ge "$MAX_REPEATS" ]; then
        REPEAT_STOP=max_repeats
    elif [ $((spent + spent / done)) -gt "${STEP_BUDGET_MS:-0}" ]; then
        REPEAT_STOP=step_budget
    elif [ $(($(now_ms) - BENCH_START_MS + spent / done)) -gt $((TIME_BUDGET * 1000)) ]; then
        REPEAT_STOP=time_budget
    else
        return 0
    fi
    return 1
}

# repeats_row EXP POINT METRICS DONE START_MS: data/repeats.csv's row for a
# point: the pairs (rounds) it took and why it stopped (REPEAT_STOP).
repeats_row() {
    append_row "$RUN/data/repeats.csv" \
        experiment,point,metrics,pairs,stopped_by,widest_halfwidth_pct,budget_s,spent_s \
        "$1,$2,${3//,/ },$4,$REPEAT_STOP,$REPEAT_WIDEST,$(awk -v b="${STEP_BUDGET_MS:-0}" \
            -v s=$(($(now_ms) - $5)) 'BEGIN { printf "%.1f,%.1f", b / 1000, s / 1000 }')"
}

# ---- Stevens' job, timed whole by hyperfine (experiments 3 and 12) --------

# stevens_round EXP VARIANT MODEL ROUND RUNS [SERVER_ARGS...]: one server
# (bin/MODEL_server SERVER_ARGS), hyperfine times RUNS runs of Stevens' job
# against it; measured again (at most DISTURB_RETRIES times) when other
# programs disturbed it. Rows go to data/EXP-runs.csv (one per timed run) and
# data/EXP-rounds.csv (the server's accounting and the interference check).
stevens_round() {
    local exp=$1 variant=$2 m=$3 round=$4 runs=$5 attempt=1 prefix
    shift 5
    while :; do
        prefix=$RUN/raw/$exp-$variant-round$round
        [ "$attempt" -eq 1 ] || prefix+=-a$attempt
        local -a cmd=("${PIN_CLIENT[@]}" "$BIN/client_load" -P size -q -t "$CLIENT_THREADS"
            -c "$STEVENS_CLIENTS" -n "$STEVENS_CONNECTIONS" -r 1 -s "$STEVENS_SIZE"
            "${SOURCE_ARGS[@]}" --csv "$prefix.client.csv" PORT)
        rm -f "$prefix.client.csv"
        server_start "$prefix" "$m" size "$@"
        cmd[-1]=$(target)
        children_cpu
        local cpu0=$CHILDREN_CPU_S
        window_begin
        # -N: no shell between hyperfine and the client; -i: a failing run is
        # recorded (exit_codes) and flagged, not fatal.
        hyperfine -N -i --style basic --runs "$runs" --warmup "$STEVENS_WARMUP" \
            --command-name "$variant" --export-json "$prefix.hyperfine.json" \
            "${cmd[*]@Q}" >"$prefix.hyperfine.txt" 2>&1 ||
            die "hyperfine failed: see ${prefix#"$ROOT"/}.hyperfine.txt"
        window_end
        children_cpu
        server_stop
        # The client's CPU: hyperfine's and its clients' (this shell's children).
        window_row "$(json_cpu "$prefix.server.json" .)" \
            "$(awk -v a="$cpu0" -v b="$CHILDREN_CPU_S" 'BEGIN { print b - a }')"
        stevens_rows "$exp" "$variant" "$m" "$round" "$attempt" "$prefix"
        measure_again "$attempt" "${prefix##*/}" || break
        attempt=$((attempt + 1))
    done
}

# stevens_errors CSV: client errors summed over every run in client_load's
# --csv file (its err_* columns, found by name).
stevens_errors() {
    [ -s "$1" ] || { echo 1; return; }
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^err_/) e[i] = 1; next }
             { for (i in e) n += $i } END { print n + 0 }' "$1"
}

stevens_rows() {
    local exp=$1 v=$2 m=$3 round=$4 attempt=$5 prefix=$6 errors server='{}' disturbed
    errors=$(stevens_errors "$prefix.client.csv")
    disturbed=$(cut -d, -f6 <<<"$WIN_ROW")
    [ -s "$prefix.server.json" ] && server=$(cat "$prefix.server.json")
    append_row "$RUN/data/$exp-runs.csv" model,variant,round,attempt,run,time_s,exit_code,disturbed "$(
        jq -r --arg m "$m" --arg v "$v" --argjson round "$round" --argjson a "$attempt" \
            --argjson d "$disturbed" '
            .results[0] | [.times, .exit_codes] | transpose | to_entries[]
            | [$m, $v, $round, $a, .key + 1, (.value[0] * 1e6 | round / 1e6), .value[1], $d]
            | @csv' "$prefix.hyperfine.json" | tr -d '"')"
    append_row "$RUN/data/$exp-rounds.csv" \
        "model,variant,round,attempt,runs,errors,server_rc,server_accepted,server_cpu_s,$WIN_COLUMNS" \
        "$(jq -r --arg m "$m" --arg v "$v" --argjson round "$round" --argjson a "$attempt" \
            --argjson errors "$errors" --argjson src "$SRV_RC" --argjson s "$server" '
            [$m, $v, $round, $a, (.results[0].times | length), $errors, $src,
             ($s.accepted // ""),
             (if $s.accepted then ($s.cpu_user_s + $s.cpu_sys_s) * 1e6 | round / 1e6
              else "" end)] | @csv' "$prefix.hyperfine.json" | tr -d '"'),$WIN_ROW"
}

# summarize EXP KEYS METRICS: data/EXP-runs.csv -> data/EXP.csv, one row per
# model x point: METRIC_median, _min, _max for each metric, n, errors.
summarize() {
    python3 "$ROOT/bench/summarize.py" "$RUN/data/$1-runs.csv" "$RUN/data/$1.csv" "$2" "$3"
}
