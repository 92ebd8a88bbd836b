#!/usr/bin/env bats
# The integration suite: written once, run against each server binary
# (tests/run.sh sets SERVER to bin/fork_server, then bin/thread_server).

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
    [ "$(jq .peak_active "$STATS")" -le 500 ]
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
    [[ $output =~ ([0-9]+)\ requests\ in ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]
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
    run "$TCPCHECK" idle "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = closed ]
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
        STATS_JSON=$(stats_now)
        until [ "$(stat_field accepted)" -eq 1 ]; do STATS_JSON=$(stats_now); done
        kill -TERM "$SRV_PID"
        client_line
        [ "$CL_LINE" = "reply complete" ]
        stop_client
        [ "$CL_RC" -eq 0 ]
        SRV_RC=0
        wait "$SRV_PID" || SRV_RC=$?
        [ "$SRV_RC" -eq 0 ]
        SRV_PID=
        exec 4<&-
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
    local pid=$SRV_PID
    STATS_JSON=$(stats_now)
    until [ "$(stat_field accepted)" -eq 1 ]; do STATS_JSON=$(stats_now); done
    kill -TERM "$pid"
    # Signals of one kind do not queue: the second must come after the first
    # was taken, which the server's notice tells.
    wait_for grep -q 'draining 1 connections' "$SRV_ERR"
    kill -TERM "$pid"
    SRV_RC=0
    wait "$pid" || SRV_RC=$?
    SRV_PID=
    [ "$SRV_RC" -eq 143 ]
    stop_client
    [ "$CL_RC" -ne 0 ]          # its connection was cut
    # No child outlives the server.
    [ -z "$(ps -o pid= --ppid "$pid")" ]
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

@test "CPU in the accounting includes the work of reaped children" {
    start_server --protocol size --work-us 20000 --stats "$STATS"
    run "$TCPCHECK" seq "$PORT" 25 size 10
    [ "$status" -eq 0 ]
    stop_server
    # 25 requests x 20 ms of busy CPU = 0.5 s, whichever process did it.
    jq -e '.cpu_user_s + .cpu_sys_s >= 0.4' "$STATS"
}

@test "--ballast-mb touches the memory in the server before serving" {
    start_server --ballast-mb 64
    local rss
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SRV_PID/status")
    [ "$rss" -ge $((64 * 1024)) ]
    run "$TCPCHECK" echo "$PORT" 100
    [ "$status" -eq 0 ]
}

nobody_tasks() { ps -L -u nobody -o lwp= | wc -l; }

@test "a failed spawn costs that one connection, is counted, and service resumes" {
    skip_in_mode pool "spawns nothing per connection (pool.bats: a pool that cannot start)"
    skip_in_mode iterative "spawns nothing at all"
    # RLIMIT_NPROC caps the tasks (processes and threads alike) of one user,
    # but not of root: the server runs as nobody, from a copy it can read.
    local dir
    dir=$(mktemp -d)
    chmod 0777 "$dir"
    cp "$SERVER" "$dir/"
    SERVER="$dir/${SERVER##*/}"
    STATS=$dir/stats.json
    # A first run tells how many tasks the server has once it has served a
    # connection (a sanitizer runtime starts threads of its own, some lazily);
    # the second run gets room for two more.
    [ -z "${VALGRIND:-}" ] || skip "valgrind itself crashes when fork fails under RLIMIT_NPROC"
    start_server --setpriv-nobody
    "$TCPCHECK" seq "$PORT" 3 echo 10
    wait_for no_children
    local tasks
    tasks=$(nobody_tasks)
    stop_server
    NPROC=$((tasks + 2)) start_server --sleep-us 300000 --stats "$STATS" --setpriv-nobody
    run "$TCPCHECK" tally "$PORT" 10 echo 100
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
    rm -rf "$dir"
}

@test "a low descriptor limit delays connections but loses none, without spinning" {
    [ -z "${VALGRIND:-}" ] || skip "valgrind keeps descriptors of its own under the limit"
    # A first run tells how many descriptors the server holds at rest.
    start_server
    local base
    base=$(fd_count "$SRV_PID")
    stop_server
    # Room for four connections at once: thread_server's accept then fails
    # with EMFILE while four are open (fork_server's parent closes its copy
    # at once, so it rarely needs more than one).
    NOFILE=$((base + 4)) start_server --sleep-us 50000 --stats "$STATS"
    run "$TCPCHECK" storm "$PORT" 40 echo 100
    [ "$status" -eq 0 ]
    [ "$output" = "40 connections served" ]
    stop_server
    [ "$SRV_RC" -eq 0 ]
    [ "$(jq .completed "$STATS")" -eq 40 ]
    [ "$(jq .refused "$STATS")" -eq 0 ]
    local failures
    failures=$(jq .accept_failures "$STATS")
    if [ "$failures" -gt 0 ]; then
        grep -q 'accept: Too many open files' "$SRV_ERR"
    fi
    if [ "$MODEL" = thread ] && [ -z "$(server_mode)" ]; then
        [ "$failures" -gt 0 ]
    fi
    # Backing off, not spinning: after a failed accept the loop waits 50 ms,
    # so it cannot fail more often than that (a busy loop fails thousands of
    # times a second).
    jq -e '.accept_failures <= .wall_s / 0.05 + 5' "$STATS"
}

@test "a connection's process killed mid-request is reaped and counted; others unaffected" {
    skip_in_mode pool "a pool child serves many connections (pool.bats: a killed child replaced)"
    skip_in_mode iterative "no process of its own per connection to kill"
    start_server --protocol size --sleep-us 1000000 --stats "$STATS"
    local a=$BATS_TEST_TMPDIR/a.out b=$BATS_TEST_TMPDIR/b.out
    "$TCPCHECK" slow "$PORT" size 100 >"$a" 2>&1 &
    local pa=$!
    "$TCPCHECK" slow "$PORT" size 100 >"$b" 2>&1 &
    local pb=$!
    STATS_JSON=$(stats_now)
    until [ "$(stat_field accepted)" -eq 2 ]; do STATS_JSON=$(stats_now); done
    local kids
    kids=$(ps -o pid= --ppid "$SRV_PID" | tr -d ' ')
    if [ "$MODEL" = thread ]; then
        # The thread model serves without children: there is no process
        # per connection to kill, and both replies arrive.
        [ -z "$kids" ]
        wait "$pa"
        wait "$pb"
        return 0
    fi
    [ "$(wc -w <<<"$kids")" -eq 2 ]
    kill -KILL "$(head -n 1 <<<"$kids")"
    local ra=0 rb=0
    wait "$pa" || ra=$?
    wait "$pb" || rb=$?
    # Exactly one client lost its connection; the other got its whole reply.
    [ $((ra == 0 ? 1 : 0)) -ne $((rb == 0 ? 1 : 0)) ]
    grep -q 'reply complete' "$a" "$b"
    wait_for no_children
    STATS_JSON=$(stats_now)
    [ "$(stat_field abnormal_exits)" -eq 1 ]
    [ "$(stat_field active)" -eq 0 ]
    [ "$(stat_field requests)" -eq 1 ]
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
        STATS_JSON=$(stats_now)
        until [ "$(stat_field bytes_out)" -ge 20000 ]; do STATS_JSON=$(stats_now); done
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
    local reqs=$BATS_TEST_TMPDIR/reqs
    for _ in $(seq 6000); do printf 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n'; done >"$reqs"
    "$TCPCHECK" raw "$PORT" <"$reqs" >"$BATS_TEST_TMPDIR/replies" 3>&- 4>&- &
    local raw_pid=$!
    STATS_JSON=$(stats_now)
    until [ "$(stat_field requests)" -ge 20 ]; do STATS_JSON=$(stats_now); done
    local t0=$SECONDS
    stop_server TERM
    [ "$SRV_RC" -eq 0 ]
    [ $((SECONDS - t0)) -lt 5 ]
    wait "$raw_pid"
    [ "$(jq .requests "$STATS")" -lt 6000 ]
    # The last reply told the client the connection was closing.
    [ "$(grep -c 'Connection: close' "$BATS_TEST_TMPDIR/replies")" -eq 1 ]
}
