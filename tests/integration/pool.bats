#!/usr/bin/env bats
# The server modes beyond a spawn per accept: --prespawn N (a pool of
# processes or threads started before serving) and --iterative (the accept
# loop serves). Run against each server binary (tests/run.sh sets SERVER);
# each test picks its own mode, so SERVER_ARGS is not used here.

bats_require_minimum_version 1.5.0
load helpers

setup() {
    : "${SERVER:?set SERVER to the server binary under test}"
    STATS=$BATS_TEST_TMPDIR/stats.json
    MODE_ARGS=()
}

teardown() {
    kill_server
}

# tasks: every task (pid/tid) of the server and of its children, sorted.
tasks() {
    local p
    for p in "$SRV_PID" $(ps -o pid= --ppid "$SRV_PID"); do
        ls "/proc/$p/task"
    done | sort -n
}

# fds: the descriptor counts of the server and of each child, in pid order.
fds() {
    local p
    for p in "$SRV_PID" $(ps -o pid= --ppid "$SRV_PID" | sort -n); do
        echo "$p $(fd_count "$p")"
    done
}

kids() { ps -o pid= --ppid "$SRV_PID" | tr -d ' ' | sort -n; }
kid_count_is() { [ "$(child_count "$SRV_PID")" -eq "$1" ]; }
stat_is() { STATS_JSON=$(stats_now); [ "$(stat_field "$1")" = "$2" ]; }
fork_only() { [ "${SERVER##*/}" = fork_server ] || skip "$1"; }

# ---- flags -----------------------------------------------------------------

@test "--prespawn and --iterative: bad values and the two together exit 2 with one line" {
    local args
    for args in "--prespawn 0" "--prespawn 10001" "--prespawn -1" "--prespawn 4x" \
        "--prespawn 99999999999999999999" "--iterative --prespawn 4" \
        "--prespawn 4 --iterative"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$SERVER" $args
        [ "$status" -eq 2 ]
        [ "${#stderr_lines[@]}" -eq 1 ]
        [[ $stderr == "${SERVER##*/}: --"* ]]
        [[ $stderr == *"--prespawn"* ]] || [[ $stderr == *"--iterative"* ]]
        [ -z "$output" ]
    done
    run --separate-stderr "$SERVER" --iterative --prespawn 4
    [[ $stderr == *"--iterative: cannot be combined with --prespawn"* ]]
    run --separate-stderr "$SERVER" --prespawn 0
    [[ $stderr == *"--prespawn: 0 is out of range (1..10000)"* ]]
    run --separate-stderr "$SERVER" --prespawn
    [ "$status" -eq 2 ]
    [[ $stderr == *"--prespawn: missing value"* ]]
    # The edges are accepted.
    start_server --prespawn 1
    stop_server
    [ "$SRV_RC" -eq 0 ]
}

@test "--help documents --prespawn, --iterative and what a pool does when it cannot start" {
    run "$SERVER" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--prespawn N"* ]]
    [[ $output == *"--iterative"* ]]
    [[ $output == *"RLIMIT_NPROC) is an error: exit 1 before listening"* ]]
}

# ---- a pool ------------------------------------------------------------------

@test "a pool creates no process or thread per connection: the same tasks after 1,000" {
    start_server --prespawn 4 --stats "$STATS"
    # A few connections first: a sanitizer runtime may start a thread of its
    # own lazily, and that one is not the model's.
    run "$TCPCHECK" seq "$PORT" 10 echo 64
    [ "$status" -eq 0 ]
    local before after
    before=$(tasks)
    if [ "$MODEL" = fork ]; then
        [ "$(kids | wc -l)" -eq 4 ]
    else
        [ "$(ls "/proc/$SRV_PID/task" | wc -l)" -ge 5 ]
    fi
    run "$TCPCHECK" seq "$PORT" 500 echo 64
    [ "$status" -eq 0 ]
    run "$TCPCHECK" storm "$PORT" 500 echo 64
    [ "$status" -eq 0 ]
    after=$(tasks)
    [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); false; }
    STATS_JSON=$(stats_now)
    [ "$(stat_field accepted)" -eq 1010 ]
    [ "$(stat_field mode)" = prespawn ]
    [ "$(stat_field pool)" -eq 4 ]
    [ "$(stat_field peak_active)" -le 4 ]
    [ "$(stat_field spawn_failures)" -eq 0 ]
}

@test "a pool serves N at once: active and peak_active count connections, not workers" {
    start_server --prespawn 3 --stats "$STATS"
    stat_is active 0
    [ "$(stat_field peak_active)" -eq 0 ]
    start_client "$TCPCHECK" hold "$PORT" 5
    client_line
    [ "$CL_LINE" = "held 5" ]
    # Three are taken by the pool; two wait in the backlog.
    wait_for stat_is active 3
    [ "$(stat_field peak_active)" -eq 3 ]
    [ "$(stat_field accepted)" -eq 3 ]
    stop_client
    # Closed by the client, the three end; the two behind them are served.
    wait_for stat_is completed 5
    [ "$(stat_field active)" -eq 0 ]
    [ "$(stat_field peak_active)" -eq 3 ]
}

@test "killed pool children are reaped, counted and replaced at once: the pool stays at N" {
    fork_only "a thread cannot die alone: a crash ends the process"
    start_server --prespawn 4 --protocol size --sleep-us 1000000 --stats "$STATS"
    local old
    old=$(kids)
    [ "$(wc -l <<<"$old")" -eq 4 ]
    # One child is serving a slow request when all four are killed.
    local cl=$BATS_TEST_TMPDIR/slow.out
    "$TCPCHECK" slow "$PORT" size 100 >"$cl" 2>&1 3>&- 4>&- &
    local cl_pid=$!
    wait_for stat_is active 1
    # shellcheck disable=SC2086
    kill -KILL $old
    local rc=0
    wait "$cl_pid" || rc=$?
    [ "$rc" -ne 0 ]                 # its connection died with its child
    wait_for kid_count_is 4
    wait_for no_zombies
    local new
    new=$(kids)
    [ -z "$(comm -12 <(echo "$old") <(echo "$new"))" ]
    STATS_JSON=$(stats_now)
    [ "$(stat_field abnormal_exits)" -eq 4 ]
    # The connection lost with its child no longer counts as being served.
    [ "$(stat_field active)" -eq 0 ]
    [ "$(stat_field completed)" -eq 0 ]
    [ "$(stat_field spawn_failures)" -eq 0 ]
    # The new pool serves as the old one did.
    run "$TCPCHECK" storm "$PORT" 8 size 100
    [ "$status" -eq 0 ]
    [ "$(kids)" = "$new" ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ "$(jq .abnormal_exits "$STATS")" -eq 4 ]
    [ "$(jq .completed "$STATS")" -eq 8 ]
}

@test "a pool that cannot start in full (RLIMIT_NPROC below N) is an error: exit 1, nothing left" {
    [ -z "${VALGRIND:-}" ] || skip "valgrind itself crashes when fork fails under RLIMIT_NPROC"
    # RLIMIT_NPROC counts every task of the user, and never root's: as root
    # the server runs as nobody, as anyone else as that user, from a copy
    # in a folder of its own, with room for a few dozen tasks beyond those
    # the user has now: far fewer than the 10,000 asked for, whatever else
    # runs as that user meanwhile.
    local dir user
    local -a as=()
    dir=$(mktemp -d)
    chmod 0777 "$dir"
    cp "$SERVER" "$dir/"
    if [ "$(id -u)" -eq 0 ]; then
        user=nobody
        as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    else
        user=$(id -u)
    fi
    local room=$(($(ps -L -u "$user" -o lwp= | wc -l) + 40))
    # LeakSanitizer needs a thread of its own at exit, which this limit
    # refuses (a fatal error, not a leak): this one run does without it.
    run --separate-stderr env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        prlimit "--nproc=$room" "${as[@]}" \
        "$dir/${SERVER##*/}" --port 0 --prespawn 10000
    [ "$status" -eq 1 ]
    [ -z "$output" ]                # never listened
    [[ $stderr =~ ${SERVER##*/}:\ --prespawn\ 10000:\ (fork|pthread_create):\ Resource\ temporarily\ unavailable\ \(started\ [0-9]+\; ]]
    # The children it had started are gone with it.
    [ -z "$(pgrep -f "^$dir/")" ]
    rm -rf "$dir"
}

@test "a pool drains: requests being served finish, idle workers leave, exit 0, no child left" {
    start_server --prespawn 4 --protocol size --sleep-us 300000 --stats "$STATS"
    local pid=$SRV_PID i
    local -a cls=()
    for i in 1 2 3; do
        "$TCPCHECK" slow "$PORT" size 1000 >"$BATS_TEST_TMPDIR/cl.$i" 2>&1 3>&- 4>&- &
        cls+=($!)
    done
    wait_for stat_is active 3
    kill -TERM "$pid"
    for i in "${cls[@]}"; do
        wait "$i"
    done
    grep -q 'reply complete' "$BATS_TEST_TMPDIR/cl.1"
    SRV_RC=0
    wait "$pid" || SRV_RC=$?
    SRV_PID=
    [ "$SRV_RC" -eq 0 ]
    [ -z "$(ps -o pid= --ppid "$pid")" ]
    [ "$(jq .completed "$STATS")" -eq 3 ]
    [ "$(jq .requests "$STATS")" -eq 3 ]
    [ "$(jq .active "$STATS")" -eq 0 ]
    [ "$(jq .abnormal_exits "$STATS")" -eq 0 ]
    grep -q 'draining 3 connections' "$SRV_ERR"
    # The CPU of the pool's children is in the accounting once reaped.
    jq -e '.cpu_user_s + .cpu_sys_s > 0' "$STATS"
}

@test "a pool after 1,000 connections: no zombie, descriptors at baseline in every worker" {
    start_server --prespawn 4 --protocol http
    run "$TCPCHECK" seq "$PORT" 4 http 100
    local before
    before=$(fds)
    run "$TCPCHECK" seq "$PORT" 500 http 100
    [ "$status" -eq 0 ]
    run "$TCPCHECK" flood "$PORT" 500
    [ "$status" -eq 0 ]
    wait_for no_zombies
    fds_at_base() { [ "$(fds)" = "$before" ]; }
    wait_for fds_at_base
}

# ---- iterative ---------------------------------------------------------------

@test "--iterative serves one connection at a time, with no process or thread of its own" {
    start_server --iterative --stats "$STATS"
    run "$TCPCHECK" seq "$PORT" 3 echo 64
    local before
    before=$(tasks)
    [ -z "$(kids)" ]
    run "$TCPCHECK" storm "$PORT" 200 echo 512
    [ "$status" -eq 0 ]
    run "$TCPCHECK" seq "$PORT" 200 echo 64
    [ "$status" -eq 0 ]
    [ "$(tasks)" = "$before" ]
    # A second client waits until the first is done.
    start_client "$TCPCHECK" hold "$PORT" 2
    client_line
    wait_for stat_is active 1
    [ "$(stat_field accepted)" -eq 404 ]
    stop_client
    wait_for stat_is completed 405
    [ "$(stat_field peak_active)" -eq 1 ]
    [ "$(stat_field mode)" = iterative ]
}

@test "--iterative: signals are heard while serving, and --drain-timeout cuts a drain short" {
    start_server --iterative --protocol http --drain-timeout 0.5 --stats "$STATS"
    # An http head trickled a byte at a time: a request half received, which
    # a drain gives until --drain-timeout to complete. SIGUSR1 (stats_now)
    # is answered meanwhile.
    start_client "$TCPCHECK" trickle "$PORT" 50
    wait_for stat_is active 1
    until [ "$(stat_field bytes_in)" -gt 0 ]; do STATS_JSON=$(stats_now); done
    kill -TERM "$SRV_PID"
    SRV_RC=0
    wait "$SRV_PID" || SRV_RC=$?
    SRV_PID=
    [ "$SRV_RC" -eq 1 ]
    grep -q 'draining 1 connections' "$SRV_ERR"
    grep -q 'drain timed out with 1 connections open' "$SRV_ERR"
    stop_client
}

# gone PID...: true when none of the processes is alive any more.
gone() {
    local p
    for p in "$@"; do
        ! kill -0 "$p" 2>/dev/null || return 1
    done
}

@test "a fork_server pool's children die with a parent killed outright (SIGKILL, no drain)" {
    [ "${SERVER##*/}" = fork_server ] || skip "a thread pool dies with its process"
    start_server --prespawn 3
    local -a pool
    mapfile -t pool < <(kids)
    [ "${#pool[@]}" -eq 3 ]
    kill -KILL "$SRV_PID"
    wait "$SRV_PID" || true
    SRV_PID=
    # The kernel sends them SIGKILL as the parent dies (PR_SET_PDEATHSIG).
    wait_for gone "${pool[@]}"
}
