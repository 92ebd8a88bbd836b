# helpers.bash: starting, probing and stopping a server under test.
# SERVER is the path of the binary under test (bin/fork_server or
# bin/thread_server); every test in server.bats runs once for each.

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
# port (as user nobody with the last flag) and returns once it has printed
# its "listening on" line; sets SRV_PID, PORT, SRV_ERR. NPROC=N sets the
# RLIMIT_NPROC of the user-nobody run; NOFILE=N the RLIMIT_NOFILE of any run.
# The line is read from a FIFO, so the wait is exact: no sleeping.
start_server() {
    local fifo=$BATS_TEST_TMPDIR/ready.$RANDOM line
    SRV_ERR=$BATS_TEST_TMPDIR/server.err
    mkfifo "$fifo"
    local -a as=()
    if [ "${*: -1}" = --setpriv-nobody ]; then
        as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
        [ -z "${NPROC:-}" ] || as=(prlimit "--nproc=$NPROC" "${as[@]}")
        set -- "${@:1:$#-1}"
    fi
    [ -z "${NOFILE:-}" ] || as=(prlimit "--nofile=$NOFILE" "${as[@]}")
    "${as[@]}" "${VG[@]}" "$SERVER" --port 0 "$@" "${MODE_ARGS[@]}" >"$fifo" 2>"$SRV_ERR" 3>&- 6>&- 7>&- &
    SRV_PID=$!
    exec 4<"$fifo"
    rm -f "$fifo"
    if ! IFS= read -r -t 30 line <&4; then
        echo "server did not print its listening line; stderr:" >&2
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

# stop_server [SIGNAL]: signals the server (default TERM) and waits for it;
# sets SRV_RC to its exit status.
stop_server() {
    kill "-${1:-TERM}" "$SRV_PID"
    SRV_RC=0
    wait "$SRV_PID" || SRV_RC=$?
    SRV_PID=
    exec 4<&-
}

# Teardown: a server a failed test left running is killed, with its
# children; a sanitizer report on the server's stderr fails the test.
kill_server() {
    if [ -n "${SRV_PID:-}" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        pkill -KILL -P "$SRV_PID" 2>/dev/null || true
        kill -KILL "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
    fi
    SRV_PID=
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
    exec 7>"$in" 6<"$out"
    rm -f "$out" "$in"
}

# client_line: the client's next line of output, in CL_LINE.
client_line() { IFS= read -r -t 60 CL_LINE <&6; }

# stop_client: closes the client's stdin and output and waits for it; sets
# CL_RC to its exit status.
stop_client() {
    exec 7>&-
    CL_RC=0
    wait "$CL_PID" || CL_RC=$?
    exec 6<&-
}

# wait_for CMD...: polls CMD until it succeeds, for at most 10 s. For states
# with no event to wait on (a child reaped, a file renamed into place).
wait_for() {
    local i
    for ((i = 0; i < 1000; i++)); do
        "$@" && return 0
        sleep 0.01
    done
    echo "gave up waiting for: $*" >&2
    return 1
}

fd_count() { ls "/proc/$1/fd" | wc -l; }

# Children of the server in state Z.
zombie_count() { ps -o stat= --ppid "$1" | grep -c '^Z' || true; }
child_count() { ps -o pid= --ppid "$1" | wc -l; }
no_zombies() { [ "$(zombie_count "$SRV_PID")" -eq 0 ]; }
no_children() { [ "$(child_count "$SRV_PID")" -eq "$(pool_children)" ]; }

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
