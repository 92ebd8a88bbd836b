# helpers.bash: starting, probing and stopping a server under test.
# SERVER is the path of the binary under test (bin/fork_server or
# bin/thread_server); every test in server.bats runs once for each.
# shellcheck shell=bash disable=SC2034  # the variables set here are the tests'

BIN=${BIN:-$BATS_TEST_DIRNAME/../../bin}
TCPCHECK=$BIN/tests/tcpcheck

# VALGRIND=1 runs every server under memcheck, children followed; any error
# or definite leak in any of its processes fails the test (see kill_server).
# Logs go to a directory any user may write to (one test runs the server as
# nobody). Memcheck is slow, forked children run their own leak check, so
# tcpcheck's timeouts are longer here.
VG=()
VG_DIR=
if [ -n "${VALGRIND:-}" ]; then
    VG_DIR=$(mktemp -d)
    chmod 1777 "$VG_DIR"
    VG=(valgrind -q --trace-children=yes --leak-check=full
        --show-leak-kinds=definite --errors-for-leak-kinds=definite
        --error-exitcode=99 "--log-file=$VG_DIR/valgrind.%p")
    export TCPCHECK_TIMEOUT=120
fi

# start_server ARGS... [--setpriv-nobody]: starts $SERVER on a kernel-chosen
# port (as user nobody with the last flag, which needs root) and returns once
# it has printed its "listening on" line; sets SRV_PID, PORT, SRV_ERR.
# NPROC=N sets the server's RLIMIT_NPROC, NOFILE=N (or SOFT:HARD) its
# RLIMIT_NOFILE. The line is read from a FIFO, so the wait is exact: no
# sleeping.
start_server() {
    local fifo=$BATS_TEST_TMPDIR/ready.$RANDOM line
    SRV_ERR=$BATS_TEST_TMPDIR/server.err
    mkfifo "$fifo"
    local -a as=()
    if [ "${*: -1}" = --setpriv-nobody ]; then
        as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
        set -- "${@:1:$#-1}"
    fi
    [ -z "${NPROC:-}" ] || as=(prlimit "--nproc=$NPROC" "${as[@]}")
    [ -z "${NOFILE:-}" ] || as=(prlimit "--nofile=$NOFILE" "${as[@]}")
    "${as[@]}" "${VG[@]}" "$SERVER" --port 0 "$@" "${MODE_ARGS[@]}" >"$fifo" 2>"$SRV_ERR" 3>&- 4>&- 5>&- 6>&- 7>&- &
    SRV_PID=$!
    exec 4<"$fifo"
    rm -f "$fifo"
    if ! IFS= read -r -t 30 line <&4; then
        echo "server did not print its listening line within 30 s; stderr:" >&2
        cat "$SRV_ERR" >&2
        return 1
    fi
    LISTEN_LINE=$line
    [[ $line =~ ^listening\ on\ (.*):([0-9]+)\ model=(fork|thread)\ protocol=([a-z]+)\ pid=([0-9]+)$ ]] || {
        echo "bad listening line: $line" >&2
        return 1
    }
    PORT=${BASH_REMATCH[2]}
    MODEL=${BASH_REMATCH[3]}
    [ "${BASH_REMATCH[5]}" = "$SRV_PID" ]
}

# How long a stopped server, or a client told to end, may take to exit
# (memcheck makes every process far slower).
EXIT_S=${EXIT_S:-30}
[ -z "${VALGRIND:-}" ] || EXIT_S=180

# exited PID: the process has ended: it is gone, or a zombie not yet waited
# for. Reads /proc in the shell itself, so it starts no process.
exited() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
    stat=${stat##*) }
    [ "${stat%% *}" = Z ]
}

# wait_exit PID SECONDS WHAT: waits at most SECONDS for PID, a child of this
# shell, to exit, and sets EXIT_RC to its status. On time out it says what it
# waited for, kills PID and fails.
wait_exit() {
    local pid=$1 what=$3 deadline=$((SECONDS + $2))
    until exited "$pid"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "gave up after $2 s waiting for $what (pid $pid) to exit" >&2
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            return 1
        fi
        sleep 0.01
    done
    EXIT_RC=0
    wait "$pid" || EXIT_RC=$?
}

# stop_server [SIGNAL]: signals the server (default TERM) and waits for it,
# for at most EXIT_S seconds; sets SRV_RC to its exit status.
stop_server() {
    kill "-${1:-TERM}" "$SRV_PID"
    wait_server_exit "$EXIT_S"
}

# wait_server_exit [SECONDS]: waits for the server, already told to stop, to
# exit (default EXIT_S seconds); sets SRV_RC.
wait_server_exit() {
    wait_exit "$SRV_PID" "${1:-$EXIT_S}" "the server" || return 1
    SRV_RC=$EXIT_RC
    SRV_PID=
    exec 4<&-
}

# track PID...: processes the test started beside the server (clients, a
# server's children seen by the test); teardown kills any still running.
TRACKED=()
track() { TRACKED+=("$@"); }

# Teardown: a server a failed test left running is killed, with its
# children, and so is every tracked process; a sanitizer report on the
# server's stderr fails the test.
kill_server() {
    if [ -n "${SRV_PID:-}" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        # Stopped first: a pool's parent would fork a replacement for each
        # child killed, and the replacement would outlive it.
        kill -STOP "$SRV_PID" 2>/dev/null || true
        pkill -KILL -P "$SRV_PID" 2>/dev/null || true
        kill -KILL "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
    fi
    SRV_PID=
    local pid
    for pid in "${TRACKED[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    TRACKED=()
    if [ -n "${SRV_ERR:-}" ] && grep -q 'Sanitizer' "$SRV_ERR"; then
        cat "$SRV_ERR" >&2
        return 1
    fi
    [ -n "$VG_DIR" ] || return 0
    local vg bad=0
    for vg in "$VG_DIR"/valgrind.*; do
        [ -s "$vg" ] || continue
        cat "$vg" >&2
        bad=1
    done
    rm -rf "$VG_DIR"
    return "$bad"
}

# start_client CMD...: runs CMD in the background with its stdout readable
# line by line on fd 6 and its stdin held open on fd 7 (FIFOs: lines survive
# the client's exit, and closing fd 7 gives it EOF); sets CL_PID.
start_client() {
    local out=$BATS_TEST_TMPDIR/cl.out.$RANDOM in=$BATS_TEST_TMPDIR/cl.in.$RANDOM
    mkfifo "$out" "$in"
    "$@" <"$in" >"$out" 3>&- 4>&- &
    CL_PID=$!
    track "$CL_PID"
    exec 7>"$in" 6<"$out"
    rm -f "$out" "$in"
}

# client_line: the client's next line of output, in CL_LINE; fails after
# 60 s without one.
client_line() {
    IFS= read -r -t 60 CL_LINE <&6 && return 0
    echo "gave up after 60 s waiting for a line from the client (pid $CL_PID)" >&2
    return 1
}

# stop_client [SECONDS]: closes the client's stdin and output and waits for
# it to exit, for at most SECONDS (default EXIT_S); sets CL_RC to its status.
stop_client() {
    exec 7>&-
    wait_exit "$CL_PID" "${1:-$EXIT_S}" "the client" || return 1
    CL_RC=$EXIT_RC
    exec 6<&-
}

# wait_for CMD...: polls CMD until it succeeds, for at most WAIT_S seconds
# (default 10). For states with no event to wait on (a child reaped, a file
# renamed into place).
wait_for() {
    local deadline=$((SECONDS + ${WAIT_S:-10}))
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "gave up after ${WAIT_S:-10} s waiting for: $*" >&2
            return 1
        fi
        sleep 0.01
    done
}

fd_count() {
    local -a fds=("/proc/$1/fd/"*)
    echo "${#fds[@]}"
}

# Children of the server in state Z.
# shellcheck disable=SC2009  # pgrep cannot select by state
zombie_count() { ps -o stat= --ppid "$1" | grep -c '^Z' || true; }
child_count() { ps -o pid= --ppid "$1" | wc -l; }
no_zombies() { [ "$(zombie_count "$SRV_PID")" -eq 0 ]; }
no_children() { [ "$(child_count "$SRV_PID")" -eq "$(pool_children)" ]; }

# children_of PID: sets KIDS to the pids of PID's children. Reads /proc in
# the shell itself, so it starts no process.
children_of() {
    local f stat rest
    KIDS=()
    for f in /proc/[0-9]*/stat; do
        { read -r stat <"$f"; } 2>/dev/null || continue
        rest=${stat##*) }           # past "pid (comm) ": comm may hold spaces
        rest=${rest#* }             # past the state
        [ "${rest%% *}" = "$1" ] || continue
        f=${f#/proc/}
        KIDS+=("${f%/stat}")
    done
}

# stats_now: asks the server for its accounting (SIGUSR1) and prints it.
# Needs the server started with --stats "$STATS".
stats_now() {
    rm -f "$STATS"
    kill -USR1 "$SRV_PID"
    wait_for test -s "$STATS"
    cat "$STATS"
}

# stat_field NAME: one field of the accounting JSON just fetched.
stat_field() { jq -r ".$1" <<<"$STATS_JSON"; }

# stat_is NAME OP N: fetches the accounting and tests its field NAME with
# test's OP (-eq, -ge, ...) against N; the fetched JSON stays in STATS_JSON.
stat_is() {
    STATS_JSON=$(stats_now) || return 1
    test "$(stat_field "$1")" "$2" "$3"
}

# wait_stat NAME OP N: polls the accounting until stat_is NAME OP N holds,
# for at most WAIT_S seconds (default 10); says which field it waited for
# and its last value when it gives up.
wait_stat() {
    local deadline=$((SECONDS + ${WAIT_S:-10}))
    until stat_is "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "gave up after ${WAIT_S:-10} s waiting for $1 $2 $3 (it is $(stat_field "$1"))" >&2
            return 1
        fi
    done
}

# curl ARGS...: curl, which has no timeout of its own, given one.
curl() { command curl --max-time 20 "$@"; }

# http_raw: sends stdin to the server, half-closes, prints the reply.
http_raw() { "$TCPCHECK" raw "$PORT"; }

# ---- modes -------------------------------------------------------------------
# SERVER_ARGS ("--prespawn 4", "--iterative", or empty: a process or thread
# per accept) is appended to every server start_server starts: tests/run.sh
# runs the per-server suites once per mode.
read -ra MODE_ARGS <<<"${SERVER_ARGS:-}"

# server_mode: "pool", "iterative", or "" for a process or thread per accept.
server_mode() {
    case " ${SERVER_ARGS:-} " in
    *" --prespawn "*) echo pool ;;
    *" --iterative "*) echo iterative ;;
    esac
}

# pool_size: the N of SERVER_ARGS' --prespawn N (0 without one).
pool_size() {
    local i
    for ((i = 0; i < ${#MODE_ARGS[@]} - 1; i++)); do
        [ "${MODE_ARGS[i]}" = --prespawn ] && { echo "${MODE_ARGS[i + 1]}"; return; }
    done
    echo 0
}

# pool_children: the children a fork_server pool keeps for good (0 in any
# other case): "no children" means none beyond these.
pool_children() {
    if [ "${SERVER##*/}" = fork_server ]; then pool_size; else echo 0; fi
}

# serving_children: the children a server has while it serves exactly one
# connection: fork_server's child for it (per accept) or its pool's children
# (--prespawn); none when iterative (the accept loop serves it) or in
# thread_server (a thread does).
serving_children() {
    if [ "${SERVER##*/}" != fork_server ]; then
        echo 0
    elif [ "$(server_mode)" = "" ]; then
        echo 1
    else
        pool_size
    fi
}

# accepting_loops: how many loops call accept() on their own, each backing
# off after a failure: the pool's workers (processes or threads), or the
# one accept loop.
accepting_loops() {
    if [ "$(server_mode)" = pool ]; then pool_size; else echo 1; fi
}

# skip_in_mode MODE REASON: skips this test when the suite runs in MODE.
skip_in_mode() {
    [ "$(server_mode)" != "$1" ] || skip "$2"
}

# mode_conns N: how many of N keep-alive clients this mode serves at once:
# N, or at most the pool's size, or 1 when iterative. A keep-alive client
# holds its worker until it closes, so the clients beyond that wait in the
# backlog (ab -k then waits for ever; a drain resets them unserved): tests
# that need every client served at once ask for this many.
mode_conns() {
    local n=$1 pool
    case $(server_mode) in
    iterative) n=1 ;;
    pool)
        pool=$(pool_size)
        [ "$pool" -ge "$n" ] || n=$pool
        ;;
    esac
    echo "$n"
}
