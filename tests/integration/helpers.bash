# helpers.bash: starting, probing and stopping a server under test.
# SERVER is the path of the binary under test (bin/fork_server or
# bin/thread_server); every test in server.bats runs once for each.

BIN=${BIN:-$BATS_TEST_DIRNAME/../../bin}
TCPCHECK=$BIN/tests/tcpcheck

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
    "${as[@]}" "$SERVER" --port 0 "$@" >"$fifo" 2>"$SRV_ERR" 3>&- &
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
no_children() { [ "$(child_count "$SRV_PID")" -eq 0 ]; }

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
