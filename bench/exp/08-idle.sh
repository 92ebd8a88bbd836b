# 08-idle.sh: idle capacity and memory per connection. For each of
# IDLE_CONNS (K, capped by the limits below), one server per point:
# memory sampled before (bench/memsample.sh), then `tcpcheck hold PORT K`
# opens K idle echo connections, and once the server has a child (fork) or a
# thread (thread) for each, memory is sampled again. Variants: fork_server,
# thread_server, and thread_server --stack-size IDLE_SMALL_STACK_KIB.
#   memory = PSS summed over the server and its descendants (the delta)
#          + the machine's PageTables and KernelStack deltas (/proc/meminfo)
# data/08-idle-limits.csv: the limits that bound K, and the K they allow;
# data/08-idle-runs.csv: one row per variant x K x repeat (the samples as
# read); data/08-idle-points.csv: each one's deltas and KiB per connection;
# data/08-idle.csv: their medians per variant x K (bench/derive.py).
# shellcheck shell=bash

HOLD_PID=
HOLD_IN=
HOLD_RC=0

# exp08_stop_hold: for the EXIT trap (lib.sh's CLEANUP_HOOKS): stops a
# tcpcheck still holding connections, by its pid.
exp08_stop_hold() {
    [ -n "$HOLD_PID" ] || return 0
    kill -TERM "$HOLD_PID" 2>/dev/null || true
    wait "$HOLD_PID" 2>/dev/null || true
    HOLD_PID=
}
CLEANUP_HOOKS+=(exp08_stop_hold)

# exp08_limits_of: the limits of the server's machine, one "name,value" line
# each (a shell there reads them: they are what a server started the same
# way gets), then this machine's descriptor limit (tcpcheck's).
exp08_limits_of() {
    # shellcheck disable=SC2016  # expanded by the server's shell
    on_server bash -c 'echo "RLIMIT_NOFILE soft,$(ulimit -Sn)"; echo "RLIMIT_NPROC soft,$(ulimit -Su)"
        echo "kernel.pid_max,$(cat /proc/sys/kernel/pid_max)"
        echo "kernel.threads-max,$(cat /proc/sys/kernel/threads-max)"
        echo "tasks,$(ps -e --no-headers | wc -l)"'
    echo "client RLIMIT_NOFILE soft,$(ulimit -Sn)"
}

# exp08_bound: the largest K the machines allow: tcpcheck and thread_server
# need a descriptor per connection (RLIMIT_NOFILE), and every child or thread
# is a task (pid_max, threads-max, RLIMIT_NPROC); 64 spare of each. Memory
# too: K fork_server children at IDLE_KIB_PER_CONN each within a quarter of
# MemAvailable.
exp08_bound() {
    local limits bound
    limits=$(exp08_limits_of)
    bound=$(awk -F, -v mem="$(exp08_mem_bound)" '
        NF != 2 || $2 !~ /^([0-9]+|unlimited)$/ { next }
        { v = ($2 == "unlimited") ? 4194304 : $2 }
        $1 == "tasks" { tasks = v; next }
        $1 == "RLIMIT_NPROC soft" { nproc = v; next }
        { k = v - 64; if (min == "" || k < min) min = k }
        END { k = nproc - 64 - tasks; if (k < min) min = k
              if (mem < min) min = mem; print min }' <<<"$limits")
    [ "$bound" -gt 0 ] 2>/dev/null ||
        die "experiment 8: the limits allow no idle connection (${limits//$'\n'/; }; a quarter of MemAvailable: $(exp08_mem_bound) connections)"
    echo "$bound"
}

# exp08_mem_bound: the K whose fork_server children fit in a quarter of
# MemAvailable at IDLE_KIB_PER_CONN KiB each (a generous per-child cost).
exp08_mem_bound() {
    echo $(($(mem_available_kib) / 4 / IDLE_KIB_PER_CONN))
}

# exp08_conns: IDLE_CONNS with every value above the bound replaced by it.
exp08_conns() {
    local bound k
    bound=$(exp08_bound)
    for k in $IDLE_CONNS; do
        echo $((k < bound ? k : bound))
    done | sort -nu
}

# exp08_ms MODEL K: a rough time of one point, for the plan: ~0.2 ms a
# connection to open, ~0.5 ms more a process to fork and sample.
exp08_ms() {
    local est=$(($2 / 5 + 800))
    [ "$1" = thread ] || est=$((est + $2 / 2))
    echo "$est"
}

# The verdict (memory per connection, fork vs thread) is at the largest K:
# there both models run VERDICT_REPEATS interleaved pairs; every other point
# runs once.
exp08_plan() {
    local k v kmax
    plan_line 50 "idle capacity: the limits" limits
    kmax=$(exp08_conns | tail -n 1)
    for v in "fork default" "thread default" "thread $IDLE_SMALL_STACK_KIB"; do
        for k in $(exp08_conns); do
            [ "$k" -ne "$kmax" ] || [ "${v#* }" != default ] || continue
            plan_line "$(exp08_ms "${v% *}" "$k")" \
                "idle capacity, ${v% *}_server stack ${v#* } K=$k" "$v $k"
        done
    done
    plan_line $((VERDICT_REPEATS * ($(exp08_ms fork "$kmax") + $(exp08_ms thread "$kmax")))) \
        "idle capacity K=$kmax, both servers x $VERDICT_REPEATS" "pairs $kmax"
}

exp08_step() {
    case $1 in
        limits) exp08_limits ;;
        pairs) exp08_pairs "$2" ;;
        *) exp08_point "$@" 1 ;;
    esac
}

exp08_pairs() {
    local rep m start
    start=$(now_ms)
    for rep in $(seq 1 "$VERDICT_REPEATS"); do
        for m in $(pair_order "$rep"); do
            exp08_point "$m" default "$1" "$rep"
        done
    done
    # shellcheck disable=SC2034  # read by repeats_row (lib.sh)
    REPEAT_STOP=fixed REPEAT_WIDEST=''
    repeats_row 08-idle "conns=$1" kib_per_conn "$VERDICT_REPEATS" "$start"
}

# exp08_limits: the limits that bound K. The connections are held by the
# test helper bin/tests/tcpcheck, which `make bench` builds.
exp08_limits() {
    [ -x "$BIN/tests/tcpcheck" ] ||
        die "no $BIN/tests/tcpcheck (experiment 8 holds connections with it): make bin/tests/tcpcheck"
    {
        echo "limit,value"
        exp08_limits_of | grep -v '^tasks,'
        echo "MemAvailable/4 at $IDLE_KIB_PER_CONN KiB per connection,$(exp08_mem_bound)"
        echo "largest K allowed,$(exp08_bound)"
    } >"$RUN/data/08-idle-limits.csv"
}

# exp08_tasks MODEL: what the server has spawned so far: fork_server's
# children, or thread_server's threads.
exp08_tasks() {
    if [ "$1" = fork ]; then
        # shellcheck disable=SC2016  # expanded by the server's shell
        on_server sh -c 'cat /proc/"$1"/task/*/children 2>/dev/null | wc -w' _ "$SRV_PID"
    else
        # shellcheck disable=SC2016  # an awk program
        on_server awk '$1 == "Threads:" { print $2 }' /proc/"$SRV_PID"/status 2>/dev/null ||
            echo 0
    fi
}

# exp08_hold K PREFIX: starts tcpcheck holding K connections (on the client's
# CPU); returns 0 once it printed "held K", 1 if it failed or took longer
# than IDLE_TIMEOUT seconds.
exp08_hold() {
    local k=$1 prefix=$2 fin=$TMPD/hold.in fout=$TMPD/hold.out line hold_out
    rm -f "$fin" "$fout"
    mkfifo "$fin" "$fout"
    TCPCHECK_HOST=$TARGET "${PIN_CLIENT[@]}" "$BIN/tests/tcpcheck" hold "$PORT" "$k" \
        <"$fin" >"$fout" \
        2>"$prefix.hold.err" &
    HOLD_PID=$!
    exec {HOLD_IN}>"$fin" {hold_out}<"$fout"
    rm -f "$fin" "$fout"
    IFS= read -r -t "$IDLE_TIMEOUT" line <&"$hold_out" || line=
    exec {hold_out}<&-
    [ "$line" = "held $k" ]
}

# exp08_release: closes tcpcheck's stdin (it then closes its connections and
# exits); a tcpcheck still connecting is stopped by its pid.
exp08_release() {
    [ -n "$HOLD_PID" ] || return 0
    exec {HOLD_IN}>&-
    if [ "${1:-}" = kill ]; then
        kill -TERM "$HOLD_PID" 2>/dev/null || true
    fi
    HOLD_RC=0
    wait "$HOLD_PID" || HOLD_RC=$?
    HOLD_PID=
}

# exp08_point MODEL STACK K REPEAT: one server holding K idle connections.
exp08_point() {
    local m=$1 stack=$2 k=$3 rep=$4 variant=$1 reached=0 held_ok=1 deadline base
    [ "$stack" = default ] || variant=$m-${stack}k
    local prefix=$RUN/raw/08-idle-$variant-k$k
    [ "$rep" -eq 1 ] || prefix+=-rep$rep
    local -a args=(--max-conns $((k + 64)))
    [ "$stack" = default ] || args+=(--stack-size "$stack")
    server_start "$prefix" "$m" echo "${args[@]}"
    on_server "$SROOT/bench/memsample.sh" "$SRV_PID" >"$prefix.mem-before.json"
    base=$(exp08_tasks "$m")
    exp08_hold "$k" "$prefix" || held_ok=0
    # Poll the server's task count (a /proc read every 20 ms) until it serves
    # all K or IDLE_TIMEOUT passes: connect() returns once the kernel queued
    # the connection, before the server accepted and spawned for it.
    deadline=$(($(now_ms) + ${IDLE_TIMEOUT%.*} * 1000))
    while reached=$(($(exp08_tasks "$m") - base)); [ "$reached" -lt "$k" ] &&
        [ "$(now_ms)" -lt "$deadline" ]; do
        sleep 0.02
    done
    # A task that is not a connection's (a sanitizer runtime's thread) may
    # start meanwhile: no more than K can be connections.
    [ "$reached" -le "$k" ] || reached=$k
    on_server "$SROOT/bench/memsample.sh" "$SRV_PID" >"$prefix.mem-held.json"
    if [ "$held_ok" = 1 ]; then exp08_release; else exp08_release kill; fi
    server_stop
    exp08_row "$m" "$variant" "$stack" "$k" "$rep" "$reached" "$prefix"
}

exp08_row() {
    local m=$1 variant=$2 stack=$3 k=$4 rep=$5 reached=$6 prefix=$7 stopped=
    if [ "$reached" -lt "$k" ] || [ "$HOLD_RC" -ne 0 ]; then
        # What stopped it: the server's last complaint, else the client's.
        stopped=$(tail -n 1 "$prefix.server.err")
        [ -n "$stopped" ] || stopped=$(tail -n 1 "$prefix.hold.err")
        stopped=${stopped//[,\"]/;}
    fi
    append_row "$RUN/data/08-idle-runs.csv" \
        model,variant,stack_kib,conns,repeat,held,processes,threads,pss_before_kib,pss_kib,page_tables_before_kib,page_tables_kib,kernel_stack_before_kib,kernel_stack_kib,client_rc,server_rc,stopped_by \
        "$(jq -rs --arg m "$m" --arg v "$variant" --arg s "$stack" --argjson k "$k" \
            --argjson rep "$rep" --argjson held "$reached" --argjson crc "$HOLD_RC" \
            --argjson src "$SRV_RC" \
            --arg stopped "$stopped" '
            .[0] as $b | .[1] as $h
            | [$m, $v, $s, $k, $rep, $held, $h.processes, $h.threads, $b.pss_kib, $h.pss_kib,
               $b.page_tables_kib, $h.page_tables_kib, $b.kernel_stack_kib,
               $h.kernel_stack_kib, $crc, $src, $stopped] | @csv' \
            "$prefix.mem-before.json" "$prefix.mem-held.json" | tr -d '"')"
}

exp08_finish() {
    python3 "$ROOT/bench/derive.py" 08 "$RUN/data"
}
