#!/usr/bin/env bats
# The integration suite: written once, run against each server binary
# (tests/run.sh sets SERVER to bin/fork_server, then bin/thread_server).

# shellcheck disable=SC2030,SC2031,SC2154  # @test bodies are subshells; run sets stderr
bats_require_minimum_version 1.5.0
load helpers

setup() {
    : "${SERVER:?set SERVER to the server binary under test}"
    STATS=$BATS_TEST_TMPDIR/stats.json
}

teardown() {
    kill_server
}

# ---- flags -----------------------------------------------------------------

@test "bad flags exit 2 with one line naming the flag and the reason" {
    local args
    for args in "--port 70000" "--port -1" "--port 80x" "--max-conns 0" \
        "--protocol foo" "--backlog 0" "--idle-timeout -1" \
        "--drain-timeout nan" "--work-us 99999999999" "--ballast-mb 70000" \
        "--max-response 0"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$SERVER" $args
        [ "$status" -eq 2 ]
        [ "${#stderr_lines[@]}" -eq 1 ]
        local flag=${args%% *}
        [[ $stderr == *"$flag"* ]]
        [[ $stderr == "${SERVER##*/}: "* ]]
        [ -z "$output" ]
    done
    run --separate-stderr "$SERVER" --port
    [ "$status" -eq 2 ]
    [[ $stderr == *"--port: missing value"* ]]
    run --separate-stderr "$SERVER" --no-such-flag
    [ "$status" -eq 2 ]
    [[ $stderr == *"--no-such-flag: unknown option"* ]]
}

@test "--stack-size is the thread model's: thread_server takes it, fork_server refuses it" {
    if [ "${SERVER##*/}" = fork_server ]; then
        run --separate-stderr "$SERVER" --stack-size 256
        [ "$status" -eq 2 ]
        [[ $stderr == "fork_server: --stack-size: "*"thread_server only"* ]]
    else
        run --separate-stderr "$SERVER" --stack-size 10
        [ "$status" -eq 2 ]
        [[ $stderr == *"--stack-size: 10 is out of range"* ]]
        start_server --stack-size 256
        run "$TCPCHECK" storm "$PORT" 20 echo 100
        [ "$status" -eq 0 ]
    fi
}

@test "--help documents every flag and --version prints the version" {
    run "$SERVER" --help
    [ "$status" -eq 0 ]
    local f
    for f in --host --port --protocol --backlog --max-conns --idle-timeout \
        --drain-timeout --work-us --sleep-us --ballast-mb --stack-size \
        --max-response --stats --quiet --verbose --help --version; do
        [[ $output == *"$f"* ]] || { echo "help lacks $f"; false; }
    done
    run "$SERVER" --version
    [ "$status" -eq 0 ]
    [[ $output =~ ^${SERVER##*/}\ \(perconn\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "the listening line names the real port, the model and the protocol" {
    start_server --protocol size
    [ "$PORT" -gt 0 ]
    [[ $LISTEN_LINE == "listening on 127.0.0.1:$PORT model="*" protocol=size pid=$SRV_PID" ]]
    [ "$MODEL" = "${SERVER##*/}" ] || [ "${MODEL}_server" = "${SERVER##*/}" ]
}

@test "a port in use is a clear runtime error, exit 1" {
    start_server
    run --separate-stderr "$SERVER" --port "$PORT"
    [ "$status" -eq 1 ]
    [[ $stderr == *"bind 127.0.0.1:$PORT: Address already in use"* ]]
}

@test "IPv6: --host ::1 serves echo" {
    ip -6 addr show dev lo | grep -q '::1' || skip "this machine has no ::1"
    start_server --host ::1
    [[ $LISTEN_LINE == "listening on [::1]:$PORT "* ]]
    TCPCHECK_HOST=::1 run "$TCPCHECK" echo "$PORT" 1000
    [ "$status" -eq 0 ]
}

# ---- echo ------------------------------------------------------------------

@test "echo: round trips of 1 B, 64 KiB and 1 MiB come back byte for byte" {
    start_server
    local n
    for n in 1 65536 1048576; do
        run "$TCPCHECK" echo "$PORT" "$n"
        [ "$status" -eq 0 ]
    done
}

@test "echo: 500 concurrent connections all served correctly" {
    start_server --stats "$STATS"
    run "$TCPCHECK" storm "$PORT" 500 echo 512
    [ "$status" -eq 0 ]
    [ "$output" = "500 connections served" ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ "$(jq .accepted "$STATS")" -eq 500 ]
    [ "$(jq .completed "$STATS")" -eq 500 ]
    # Iterative, the server serves one connection at a time: never two at
    # once. Otherwise no connection can end before the client has sent all
    # 500 requests (it closes none before that), so at least two were open
    # at once.
    if [ "$(server_mode)" = iterative ]; then
        [ "$(jq .peak_active "$STATS")" -eq 1 ]
    else
        [ "$(jq .peak_active "$STATS")" -ge 2 ]
        [ "$(jq .peak_active "$STATS")" -le 500 ]
    fi
}

@test "after 1,000 short connections: no zombie, descriptors back to baseline" {
    start_server
    local before
    before=$(fd_count "$SRV_PID")
    run "$TCPCHECK" seq "$PORT" 1000 echo 64
    [ "$status" -eq 0 ]
    wait_for no_zombies
    wait_for no_children
    [ "$(fd_count "$SRV_PID")" -eq "$before" ]
}

# ---- size (Stevens) ----------------------------------------------------------

@test "size: Stevens' job, 5 clients x 200 connections x 4000 bytes" {
    start_server --protocol size --stats "$STATS"
    run "$TCPCHECK" size "$PORT" 5 200 4000
    [ "$status" -eq 0 ]
    [ "$output" = "1000 connections served" ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ "$(jq .requests "$STATS")" -eq 1000 ]
    [ "$(jq .bytes_out "$STATS")" -eq 4000000 ]
    [ "$(jq .protocol_errors "$STATS")" -eq 0 ]
}

@test "size: several lines on one connection, \\r\\n allowed, garbage closes and counts" {
    start_server --protocol size --stats "$STATS"
    run bash -c "printf '3\n5\r\n2\n' | '$TCPCHECK' raw $PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "xxxxxxxxxx" ]
    run bash -c "printf '4\nabc\n7\n' | '$TCPCHECK' raw $PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "xxxx" ]
    run bash -c "printf '0\n' | '$TCPCHECK' raw $PORT"
    [ "$output" = "" ]
    STATS_JSON=$(stats_now)
    [ "$(stat_field protocol_errors)" -eq 2 ]
    [ "$(stat_field requests)" -eq 4 ]
    run "$TCPCHECK" seq "$PORT" 3 size 100
    [ "$status" -eq 0 ]
}

# ---- http ------------------------------------------------------------------

@test "http: curl GET / returns 64 bytes, GET /N returns N, HEAD has no body" {
    start_server --protocol http
    run curl -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code} %{size_download}' "http://127.0.0.1:$PORT/"
    [ "$output" = "200 64" ]
    run curl -sS -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$PORT/100000"
    [ "$output" = "200 100000" ]
    run curl -sS -I "http://127.0.0.1:$PORT/123"
    [[ $output == *"HTTP/1.1 200 OK"* ]]
    [[ $output == *"Content-Length: 123"* ]]
    [[ $output == *"Content-Type: application/octet-stream"* ]]
    # curl -I reads no body, whatever follows the head: the raw reply, up to
    # the server's close, is the head alone.
    run bash -c "printf 'HEAD /123 HTTP/1.1\r\nHost: a\r\n\r\n' | '$TCPCHECK' raw $PORT | od -An -c"
    [ "$status" -eq 0 ]
    local head
    head=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 123\r\n\r\n' | od -An -c)
    [ "$output" = "$head" ] || { echo "HEAD reply: $output"; false; }
}

@test "http: keep-alive reuses one connection for several requests" {
    start_server --protocol http --stats "$STATS"
    run curl -sS -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}\n' \
        "http://127.0.0.1:$PORT/1" "http://127.0.0.1:$PORT/2" "http://127.0.0.1:$PORT/3"
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "1 0 0" ]
    stop_server
    [ "$(jq .accepted "$STATS")" -eq 1 ]
    [ "$(jq .requests "$STATS")" -eq 3 ]
}

@test "http: pipelined requests are answered in order" {
    start_server --protocol http
    run bash -c "printf 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n' | '$TCPCHECK' raw $PORT"
    [ "$status" -eq 0 ]
    local expect
    expect=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nxxx')
    [ "$output" = "$expect" ]
}

@test "http: Connection: close and HTTP/1.0 close after the reply; 1.0 keep-alive stays" {
    start_server --protocol http
    # The server closes after the first reply: the second request is unanswered.
    run bash -c "printf 'GET /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n' | '$TCPCHECK' raw $PORT"
    [ "$status" -eq 0 ]
    [ "$(grep -c 'HTTP/1.1 200' <<<"$output")" -eq 1 ]
    [[ $output == *"Connection: close"* ]]
    run bash -c "printf 'GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n' | '$TCPCHECK' raw $PORT"
    [ "$(grep -c 'HTTP/1.1 200' <<<"$output")" -eq 1 ]
    run bash -c "printf 'GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n' | '$TCPCHECK' raw $PORT"
    [ "$(grep -c 'HTTP/1.1 200' <<<"$output")" -eq 2 ]
    [[ $output == *"Connection: keep-alive"* ]]
}

@test "http: every error status is answered, counted, and the connection closed" {
    start_server --protocol http --stats "$STATS"
    local long
    long=$(printf 'a%.0s' {1..3000})
    local -a reqs=(
        "GARBAGE\r\n\r\n" 400
        "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n" 404
        "POST / HTTP/1.1\r\nHost: a\r\n\r\n" 405
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" 413
        "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n" 414
        "GET / HTTP/1.1\r\nHost: a\r\nX: $long\r\nY: $long\r\nZ: $long\r\n\r\n" 431
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n" 505
    )
    local i
    for ((i = 0; i < ${#reqs[@]}; i += 2)); do
        run bash -c "printf '${reqs[i]}GET / HTTP/1.1\r\nHost: a\r\n\r\n' | '$TCPCHECK' raw $PORT"
        [ "$status" -eq 0 ]
        [[ ${lines[0]} == "HTTP/1.1 ${reqs[i + 1]} "* ]] || { echo "want ${reqs[i + 1]}: ${lines[0]}"; false; }
        [[ $output == *"Connection: close"* ]]
        # Closed after the error: the request behind it got no answer.
        [ "$(grep -c '^HTTP/1.1' <<<"$output")" -eq 1 ]
    done
    STATS_JSON=$(stats_now)
    [ "$(stat_field protocol_errors)" -eq 7 ]
    run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"
    [ "$output" = 200 ]
}

@test "http: curl, wrk and ab finish with no socket error and no non-2xx reply" {
    start_server --protocol http --stats "$STATS"
    run curl -sS --fail -o /dev/null "http://127.0.0.1:$PORT/4096"
    [ "$status" -eq 0 ]
    run wrk -t2 -c64 -d1s "http://127.0.0.1:$PORT/"
    [ "$status" -eq 0 ]
    [[ $output != *"Socket errors"* ]]
    [[ $output != *"Non-2xx"* ]]
    [[ $output =~ ([0-9]+)\ requests\ in ]]
    [ "${BASH_REMATCH[1]}" -gt 0 ]
    run ab -k -q -n 2000 -c "$(mode_conns 16)" "http://127.0.0.1:$PORT/"
    [ "$status" -eq 0 ]
    [[ $output == *"Failed requests:        0"* ]]
    [[ $output == *"Complete requests:      2000"* ]]
    [[ $output != *"Non-2xx"* ]]
    STATS_JSON=$(stats_now)
    [ "$(stat_field protocol_errors)" -eq 0 ]
}

# ---- limits, timeouts, signals, accounting -----------------------------------

@test "--max-conns 4 under 50 concurrent clients: peak_active 4, all served" {
    skip_in_mode iterative "serves one connection at a time: peak_active is 1"
    start_server --max-conns 4 --sleep-us 20000 --stats "$STATS"
    run "$TCPCHECK" storm "$PORT" 50 echo 100
    [ "$status" -eq 0 ]
    [ "$output" = "50 connections served" ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ "$(jq .peak_active "$STATS")" -eq 4 ]
    [ "$(jq .completed "$STATS")" -eq 50 ]
    [ "$(jq .refused "$STATS")" -eq 0 ]
}

@test "--idle-timeout 1 closes an idle connection and counts it" {
    start_server --idle-timeout 1 --stats "$STATS"
    # Closed after the second of silence: neither at once, nor much later.
    local t0=$EPOCHREALTIME
    TCPCHECK_TIMEOUT=${TCPCHECK_TIMEOUT:-10} run "$TCPCHECK" idle "$PORT"
    local ms=$(( (${EPOCHREALTIME//[!0-9]/} - ${t0//[!0-9]/}) / 1000 ))
    [ "$status" -eq 0 ]
    [ "$output" = closed ]
    [ "$ms" -ge 1000 ] || { echo "closed after $ms ms"; false; }
    [ "$ms" -lt 5000 ] || { echo "closed after $ms ms"; false; }
    STATS_JSON=$(stats_now)
    [ "$(stat_field idle_timeouts)" -eq 1 ]
    run "$TCPCHECK" echo "$PORT" 10
    [ "$status" -eq 0 ]
}

@test "SIGTERM during a --sleep-us 300000 request: the reply arrives, exit 0" {
    local proto
    for proto in echo size http; do
        start_server --protocol "$proto" --sleep-us 300000 --stats "$STATS"
        start_client "$TCPCHECK" slow "$PORT" "$proto" 100
        client_line
        [ "$CL_LINE" = sent ]
        # The request is in the socket; once the server has accepted it,
        # the drain must let it finish.
        wait_stat accepted -eq 1
        kill -TERM "$SRV_PID"
        client_line
        [ "$CL_LINE" = "reply complete" ]
        stop_client
        [ "$CL_RC" -eq 0 ]
        wait_server_exit
        [ "$SRV_RC" -eq 0 ]
        [ "$(jq .completed "$STATS")" -eq 1 ]
    done
}

@test "a drain closes idle connections; a second signal exits at once" {
    start_server --drain-timeout 30
    start_client "$TCPCHECK" hold "$PORT" 5
    client_line
    [ "$CL_LINE" = "held 5" ]
    # Idle connections do not hold up a drain.
    stop_server TERM
    [ "$SRV_RC" -eq 0 ]
    stop_client

    start_server --drain-timeout 30 --sleep-us 30000000 --stats "$STATS"
    start_client "$TCPCHECK" slow "$PORT" echo 10
    client_line
    [ "$CL_LINE" = sent ]
    wait_stat accepted -eq 1
    # The server's children now, seen while they are still its own: once it
    # has exited, a child it left behind would belong to init. Serving one
    # connection, fork_server has that connection's child (per accept) or
    # its pool's children (--prespawn); iterative, or with threads, none.
    local -a kids
    children_of "$SRV_PID"
    kids=("${KIDS[@]}")
    track "${kids[@]}"
    [ "${#kids[@]}" -eq "$(serving_children)" ] ||
        { echo "want $(serving_children) children, have: ${kids[*]}"; false; }
    kill -TERM "$SRV_PID"
    # Signals of one kind do not queue: the second must come after the first
    # was taken, which the server's notice tells.
    wait_for grep -q 'draining 1 connections' "$SRV_ERR"
    kill -TERM "$SRV_PID"
    # At once: not after the 30 s request, nor the 30 s drain (memcheck,
    # slow to exit, gets longer; its clients' timeout is longer too).
    local soon=10
    [ -z "${VALGRIND:-}" ] || soon=60
    wait_server_exit "$soon"
    [ "$SRV_RC" -eq 143 ]
    # Its connection was cut, and the client saw it at once (not by its own
    # 20 s timeout, which a child left holding the connection would need).
    stop_client "$soon"
    [ "$CL_RC" -ne 0 ]
    # No child outlives the server: not the connection's, nor any pool's.
    local kid
    for kid in "${kids[@]}"; do
        exited "$kid" || { echo "child $kid outlived the server"; false; }
    done
}

@test "SIGUSR1 stats are valid JSON whose counts match what was done" {
    start_server --protocol size --stats "$STATS"
    run "$TCPCHECK" seq "$PORT" 7 size 1000
    [ "$status" -eq 0 ]
    run bash -c "printf 'nope\n' | '$TCPCHECK' raw $PORT"
    STATS_JSON=$(stats_now)
    jq -e . <<<"$STATS_JSON" >/dev/null
    [ "$(stat_field model)" = "$MODEL" ]
    [ "$(stat_field protocol)" = size ]
    [ "$(stat_field accepted)" -eq 8 ]
    [ "$(stat_field completed)" -eq 8 ]
    [ "$(stat_field requests)" -eq 7 ]
    [ "$(stat_field protocol_errors)" -eq 1 ]
    [ "$(stat_field bytes_out)" -eq 7000 ]
    [ "$(stat_field spawn_failures)" -eq 0 ]
    local f
    for f in refused peak_active cpu_user_s cpu_sys_s peak_rss_kib wall_s; do
        jq -e ".$f >= 0" <<<"$STATS_JSON" >/dev/null
    done
}

# server_cpu_ticks: sets CPU_TICKS to the CPU, in clock ticks, that the
# kernel has charged so far to the server, to the children it has reaped,
# and to its children still running (a pool's). Reads /proc in the shell
# itself: the parent first, so a child reaped between the two reads is
# counted at most once.
server_cpu_ticks() {
    local stat kid
    local -a f
    read -r stat <"/proc/$SRV_PID/stat"
    read -ra f <<<"${stat##*) }"
    # f[0] is field 3 (state): utime, stime, cutime, cstime are 14 to 17.
    CPU_TICKS=$((f[11] + f[12] + f[13] + f[14]))
    children_of "$SRV_PID"
    for kid in "${KIDS[@]}"; do
        { read -r stat <"/proc/$kid/stat"; } 2>/dev/null || continue
        read -ra f <<<"${stat##*) }"
        CPU_TICKS=$((CPU_TICKS + f[11] + f[12]))
    done
}

@test "CPU in the accounting includes the work of reaped children" {
    start_server --protocol size --work-us 20000 --stats "$STATS"
    run "$TCPCHECK" seq "$PORT" 25 size 10
    [ "$status" -eq 0 ]
    # Every per-connection child reaped: its CPU is now the server's
    # children's, which the accounting must include.
    wait_for no_children
    server_cpu_ticks
    local hz
    hz=$(getconf CLK_TCK)
    stop_server
    [ "$SRV_RC" -eq 0 ]
    # The accounting, written at exit once a pool's children are reaped too,
    # holds at least what the kernel had charged before the stop, whichever
    # process did the work (0.02 s for the two sides' rounding).
    jq -e --argjson ticks "$CPU_TICKS" --argjson hz "$hz" \
        '.cpu_user_s + .cpu_sys_s + 0.02 >= $ticks / $hz' "$STATS"
    # And that was the work: 25 requests x 20 ms asked = 0.5 s. --work-us
    # spins a loop count calibrated once at start, and on a shared machine
    # the calibration can catch the CPU running at half its speed, so the
    # work done can be half what was asked; without the work (or without the
    # children's share of it) a fork_server's accounting holds some 0.01 s.
    [ "$((CPU_TICKS * 10))" -ge "$hz" ] ||
        { echo "the kernel charged the server $CPU_TICKS ticks of $hz a second"; false; }
}

@test "--ballast-mb touches the memory in the server before serving" {
    start_server --ballast-mb 64
    local rss
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SRV_PID/status")
    [ "$rss" -ge $((64 * 1024)) ]
    run "$TCPCHECK" echo "$PORT" 100
    [ "$status" -eq 0 ]
}

# user_tasks UID: sets TASKS to the number of tasks (processes and threads)
# whose real uid is UID, which RLIMIT_NPROC counts. Reads /proc in the shell
# itself: a process started to count would count itself.
user_tasks() {
    local f key ruid
    TASKS=0
    for f in /proc/[0-9]*/task/[0-9]*/status; do
        { while read -r key ruid _; do
            [ "$key" = Uid: ] || continue
            [ "$ruid" != "$1" ] || TASKS=$((TASKS + 1))
            break
        done <"$f"; } 2>/dev/null || true
    done
}

@test "a failed spawn costs that one connection, is counted, and service resumes" {
    skip_in_mode pool "spawns nothing per connection (pool.bats: a pool that cannot start)"
    skip_in_mode iterative "spawns nothing at all"
    [ -z "${VALGRIND:-}" ] || skip "valgrind itself crashes when fork fails under RLIMIT_NPROC"
    # RLIMIT_NPROC caps the tasks of one real user, but never root's. As
    # root the server runs as nobody (from a copy it can read), whose only
    # tasks are the server's; as anyone else it runs as that user, whose
    # other tasks (this test's shells and clients among them) count too.
    local uid dir=
    local -a as=()
    if [ "$(id -u)" -eq 0 ]; then
        uid=$(id -u nobody)
        as=(--setpriv-nobody)
        dir=$(mktemp -d)
        chmod 0777 "$dir"
        cp "$SERVER" "$dir/"
        SERVER="$dir/${SERVER##*/}"
        STATS=$dir/stats.json
    else
        uid=$(id -u)
    fi
    # A first run tells how many tasks there are once the server has served
    # a connection (a sanitizer runtime starts threads of its own, some
    # lazily); the second run gets room for two more, and for two besides
    # when the user's count includes this test's own (bats' subshell and
    # tcpcheck, running beside the server).
    start_server "${as[@]}"
    "$TCPCHECK" seq "$PORT" 3 echo 10
    wait_for no_children
    user_tasks "$uid"
    stop_server
    local room=2
    [ -n "$dir" ] || room=4
    NPROC=$((TASKS + room)) start_server --sleep-us 300000 --stats "$STATS" "${as[@]}"
    run "$TCPCHECK" tally "$PORT" 20 echo 100
    [ "$status" -eq 0 ]
    [[ $output =~ ^served\ ([0-9]+)\ closed\ ([0-9]+)$ ]]
    local served=${BASH_REMATCH[1]} closed=${BASH_REMATCH[2]}
    [ "$served" -ge 2 ]
    [ "$closed" -ge 1 ]
    STATS_JSON=$(stats_now)
    [ "$(stat_field spawn_failures)" -eq "$closed" ]
    [ "$(stat_field refused)" -eq "$closed" ]
    [ "$(stat_field completed)" -eq "$served" ]
    grep -qE '(fork|pthread_create): Resource temporarily unavailable' "$SRV_ERR"
    # Once the load falls, everyone is served again: a finished thread or
    # child takes a moment to leave the process table, so this polls.
    TCPCHECK_TIMEOUT=2 wait_for "$TCPCHECK" storm "$PORT" 2 echo 100
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ -z "$dir" ] || rm -rf "$dir"
}

# fd_limit_with_room PID N: the lowest RLIMIT_NOFILE that leaves PID exactly
# N descriptors to open (the limit bounds descriptor numbers, and those PID
# inherited need not be contiguous).
fd_limit_with_room() {
    local fd=0 free=0
    for ((fd = 0; ; fd++)); do
        [ -L "/proc/$1/fd/$fd" ] && continue
        [ "$free" -lt "$2" ] || break
        free=$((free + 1))
    done
    echo "$fd"
}

# raise_nofile LIMIT: sets RLIMIT_NOFILE (prlimit's SOFT:HARD) on the server
# and on each of its children: a fork_server pool's children accept for
# themselves, under limits of their own. The parent first, so a child it
# forks after the listing inherits the new limit; a child listed that has
# exited since (a per-accept child done with its connection) needs none.
raise_nofile() {
    prlimit --pid "$SRV_PID" "--nofile=$1"
    children_of "$SRV_PID"
    local kid
    for kid in "${KIDS[@]}"; do
        prlimit --pid "$kid" "--nofile=$1" 2>/dev/null || exited "$kid" ||
            { echo "could not raise the limit of child $kid"; return 1; }
    done
}

@test "a low descriptor limit delays connections but loses none, without spinning" {
    [ -z "${VALGRIND:-}" ] || skip "valgrind keeps descriptors of its own under the limit"
    # A first run tells the limits: none to spare, and room for four.
    start_server
    local none four
    none=$(fd_limit_with_room "$SRV_PID" 0)
    four=$(fd_limit_with_room "$SRV_PID" 4)
    stop_server
    # With no room, every accept fails with EMFILE, in both models and in
    # every mode, until the soft limit is raised to leave room for four (up
    # to the hard limit: no privilege needed) in every process that accepts.
    # Then thread_server's accept fails again while four are open;
    # fork_server's parent closes its copy at once, and a pool's child
    # holds one connection at a time.
    NOFILE=$none:$four start_server --sleep-us 50000 --stats "$STATS"
    start_client "$TCPCHECK" storm "$PORT" 40 echo 100
    wait_for grep -q 'accept: Too many open files' "$SRV_ERR"
    raise_nofile "$four:$four"
    client_line
    [ "$CL_LINE" = "40 connections served" ]
    stop_client
    [ "$CL_RC" -eq 0 ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ "$(jq .completed "$STATS")" -eq 40 ]
    [ "$(jq .refused "$STATS")" -eq 0 ]
    [ "$(jq .accept_failures "$STATS")" -gt 0 ]
    # Backing off, not spinning: after a failed accept a loop waits 50 ms,
    # so it cannot fail more often than that (a busy loop fails thousands of
    # times a second). A pool's workers each accept, and back off, alone.
    jq -e --argjson loops "$(accepting_loops)" \
        '.accept_failures <= $loops * (.wall_s / 0.05) + 5' "$STATS"
}

@test "a connection's process killed mid-request is reaped and counted; others unaffected" {
    skip_in_mode pool "a pool child serves many connections (pool.bats: a killed child replaced)"
    skip_in_mode iterative "no process of its own per connection to kill"
    start_server --protocol size --sleep-us 1000000 --stats "$STATS"
    local a=$BATS_TEST_TMPDIR/a.out b=$BATS_TEST_TMPDIR/b.out
    "$TCPCHECK" slow "$PORT" size 100 >"$a" 2>&1 3>&- 4>&- &
    local pa=$!
    "$TCPCHECK" slow "$PORT" size 100 >"$b" 2>&1 3>&- 4>&- &
    local pb=$!
    track "$pa" "$pb"
    wait_stat accepted -eq 2
    local -a kids
    mapfile -t kids < <(ps -o pid= --ppid "$SRV_PID" | tr -d ' ')
    track "${kids[@]}"
    # The thread model serves without children: there is no process per
    # connection to kill, and both replies arrive.
    local lost=0
    if [ "$MODEL" = thread ]; then
        [ "${#kids[@]}" -eq 0 ] || { echo "thread_server has children: ${kids[*]}"; false; }
    else
        [ "${#kids[@]}" -eq 2 ] || { echo "want two children, have: ${kids[*]}"; false; }
        kill -KILL "${kids[0]}"
        lost=1
    fi
    wait_exit "$pa" "$EXIT_S" "the first client"
    local ra=$EXIT_RC
    wait_exit "$pb" "$EXIT_S" "the second client"
    local rb=$EXIT_RC
    # The killed connection's client failed; the other got its whole reply.
    [ $(((ra != 0) + (rb != 0))) -eq "$lost" ]
    [ "$(cat "$a" "$b" | grep -c '^reply complete$')" -eq $((2 - lost)) ]
    wait_for no_children
    STATS_JSON=$(stats_now)
    [ "$(stat_field abnormal_exits)" -eq "$lost" ]
    [ "$(stat_field active)" -eq 0 ]
    [ "$(stat_field requests)" -eq $((2 - lost)) ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
}

@test "SIGTERM under steady load: every reply whole, requests in flight finished, exit 0 in time" {
    local proto cl=$BATS_TEST_TMPDIR/client.json
    for proto in echo size http; do
        start_server --protocol "$proto" --sleep-us 2000 --drain-timeout 5 --stats "$STATS"
        # Keep-alive connections that send their next request the moment a
        # reply is whole: never idle, so only the drain can end them.
        start_client "$BIN/client_load" -q -P "$proto" -r 0 -c "$(mode_conns 8)" -t 1 -d 60 \
            -T 20 --json "$cl" "127.0.0.1:$PORT"
        wait_stat bytes_out -ge 20000
        local t0=$SECONDS
        stop_server TERM
        [ "$SRV_RC" -eq 0 ]
        [ $((SECONDS - t0)) -lt 5 ]
        kill -INT "$CL_PID"
        stop_client
        # Every reply the client received was whole and right: a request the
        # drain left unanswered is "closed", never a cut or wrong reply.
        jq -e '.errors.protocol == 0 and .errors.read == 0 and .errors.timeout == 0
               and .totals.requests > 0' "$cl"
        # Whatever the client counted, the server sent.
        [ "$(jq .totals.bytes_received "$cl")" -le "$(jq .bytes_out "$STATS")" ]
        [ "$(jq .active "$STATS")" -eq 0 ]
    done
}

@test "SIGTERM with requests pipelined far ahead: the drain still ends in time" {
    start_server --protocol http --sleep-us 1000 --drain-timeout 5 --stats "$STATS"
    # 6,000 requests sent at once take over 6 s to answer: longer than the
    # drain. What the server has already read (16 KiB, some 560 requests)
    # takes about 0.6 s.
    local pipelined=$BATS_TEST_TMPDIR/reqs
    for _ in $(seq 6000); do printf 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n'; done >"$pipelined"
    "$TCPCHECK" raw "$PORT" <"$pipelined" >"$BATS_TEST_TMPDIR/replies" 3>&- 4>&- &
    local raw_pid=$!
    track "$raw_pid"
    wait_stat requests -ge 20
    local t0=$SECONDS
    stop_server TERM
    [ "$SRV_RC" -eq 0 ]
    [ $((SECONDS - t0)) -lt 5 ]
    wait_exit "$raw_pid" "$EXIT_S" "tcpcheck raw"
    [ "$EXIT_RC" -eq 0 ]
    [ "$(jq .requests "$STATS")" -lt 6000 ]
    # The last reply told the client the connection was closing.
    [ "$(grep -c 'Connection: close' "$BATS_TEST_TMPDIR/replies")" -eq 1 ]
}
