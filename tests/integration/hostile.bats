#!/usr/bin/env bats
# Hostile input, run against each server binary (tests/run.sh sets SERVER).
# Every case ends with healthy: the server still serves a normal client in
# the same protocol, no child is a zombie, and its descriptor count is back
# to what it was before the case.

# shellcheck disable=SC2030,SC2031,SC2034,SC2059  # @test bodies are subshells; send takes printf formats
bats_require_minimum_version 1.5.0
load helpers

setup() {
    : "${SERVER:?set SERVER to the server binary under test}"
    STATS=$BATS_TEST_TMPDIR/stats.json
}

teardown() {
    kill_server
}

# serve PROTO [ARGS...]: a server for one case, and its descriptor baseline.
serve() {
    PROTO=$1
    shift
    start_server --protocol "$PROTO" --stats "$STATS" "$@"
    BASE_FD=$(fd_count "$SRV_PID")
}

fds_at_base() { [ "$(fd_count "$SRV_PID")" -eq "$BASE_FD" ]; }

healthy() {
    run "$TCPCHECK" seq "$PORT" 3 "$PROTO" 1000
    [ "$status" -eq 0 ] || { echo "not serving: $output"; return 1; }
    wait_for no_zombies
    wait_for fds_at_base
    # A connection's child exits after its client has gone, in its own time
    # (slowly under memcheck): waited for, bounded, like the rest.
    wait_for no_children
}

# send BYTES: printf-style bytes to the server, half-close, reply on stdout.
send() { printf -- "$1" | "$TCPCHECK" raw "$PORT"; }

# hex: the bytes of stdin in hex, so NULs survive the comparison.
hex() { od -An -tx1 | tr -d ' \n'; }

errors_now() { STATS_JSON=$(stats_now); stat_field protocol_errors; }

@test "garbage and NUL bytes: echoed, or closed and counted, in each protocol" {
    serve echo
    local bytes='abc\000\001\377garbage\000'
    [ "$(send "$bytes" | hex)" = "$(printf "$bytes" | hex)" ]
    healthy
    stop_server

    serve size
    run send 'abc\000\001\377garbage\000\n'
    [ -z "$output" ]
    [ "$(errors_now)" -eq 1 ]
    healthy
    stop_server

    serve http
    run send '\000\001\377GET / HTTP/1.1\r\nHost: a\r\n\r\n'
    [[ ${lines[0]} == "HTTP/1.1 400 "* ]]
    run send 'GET / HTTP/1.1\r\nHost: a\000b\r\n\r\n'
    [[ ${lines[0]} == "HTTP/1.1 400 "* ]]
    [ "$(errors_now)" -eq 2 ]
    healthy
}

@test "size lines: empty, negative, zero, over the limit, non-decimal, unterminated" {
    serve size --max-response 100000
    local bad
    for bad in '\n' '\r\n' '-5\n' '0\n' '000\n' '100001\n' '99999999999999999999\n' \
        '0x10\n' '12a\n' ' 5\n' '5 \n' '1e3\n' '123456789012345678901234567890'; do
        run send "$bad"
        [ -z "$output" ] || { echo "replied to $bad"; false; }
    done
    [ "$(errors_now)" -eq 13 ]
    # The limit itself is fine.
    run bash -c "printf '100000\n' | '$TCPCHECK' raw $PORT | wc -c"
    [ "$output" -eq 100000 ]
    healthy
}

@test "http: limits, malformed heads and bodies each get their status" {
    serve http
    local long
    long=$(printf 'a%.0s' {1..2100})
    local big
    big=$(printf 'X-Pad: %01000d\r\n' {1..9})
    local -a cases=(
        "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n" 414
        "GET / HTTP/1.1\r\nHost: a\r\n$big\r\n" 431
        "GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n" 400
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc" 413
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n" 400
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n" 400
        "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" 413
        "BREW / HTTP/1.1\r\nHost: a\r\n\r\n" 405
        "GET / HTTP/1.7\r\nHost: a\r\n\r\n" 505
        "GET / HTCPCP/1.0\r\nHost: a\r\n\r\n" 400
        "GET / HTTP/1.1\r\n\r\n" 400
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" 400
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n" 400
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n" 400
    )
    local i n=0
    for ((i = 0; i < ${#cases[@]}; i += 2)); do
        run send "${cases[i]}"
        [[ ${lines[0]} == "HTTP/1.1 ${cases[i + 1]} "* ]] || { echo "case $i: want ${cases[i + 1]}, got ${lines[0]:-nothing}"; false; }
        n=$((n + 1))
    done
    [ "$(errors_now)" -eq "$n" ]
    # A bare "\n" is an empty line before a request (RFC 9112 2.2): skipped,
    # and the connection ends unanswered at EOF.
    run send '\n'
    [ -z "$output" ]
    [ "$(errors_now)" -eq "$n" ]
    healthy
}

@test "http: a request split one byte per write is answered like any other" {
    serve http
    run bash -c "printf 'GET /10 HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n' | '$TCPCHECK' split $PORT"
    [ "$status" -eq 0 ]
    [ "$(grep -o 'HTTP/1.1 200 OK' <<<"$output" | wc -l)" -eq 2 ]
    [[ $output == *"xxxxxxxxxx"* ]]
    healthy
}

@test "slowloris: a head trickled for ever is closed by --idle-timeout" {
    serve http --idle-timeout 1
    TCPCHECK_TIMEOUT=${TCPCHECK_TIMEOUT:-10} run "$TCPCHECK" trickle "$PORT" 100
    [ "$status" -eq 0 ]
    [ "$output" = closed ]
    STATS_JSON=$(stats_now)
    [ "$(stat_field idle_timeouts)" -eq 1 ]
    healthy
}

@test "a client that vanishes with RST mid-reply costs nothing, in each protocol" {
    local proto
    for proto in echo size http; do
        serve "$proto"
        # Replies far larger than the socket buffers, cut short by a reset.
        local n=16000000
        [ "$proto" = echo ] && n=1000000
        run "$TCPCHECK" reset "$PORT" "$proto" "$n"
        [ "$status" -eq 0 ]
        [ "$output" = reset ]
        healthy
        stop_server
        [ "$SRV_RC" -eq 0 ]
    done
}

@test "a client that half-closes still reads the whole reply, in each protocol" {
    serve echo
    run bash -c "head -c 300000 /dev/zero | '$TCPCHECK' raw $PORT | wc -c"
    [ "$output" -eq 300000 ]
    healthy
    stop_server
    serve size
    run bash -c "printf '200000\n300000\n' | '$TCPCHECK' raw $PORT | wc -c"
    [ "$output" -eq 500000 ]
    healthy
    stop_server
    serve http
    run bash -c "printf 'GET /200000 HTTP/1.1\r\nHost: a\r\n\r\n' | '$TCPCHECK' raw $PORT | wc -c"
    [ "$output" -gt 200000 ]
    healthy
}

@test "1,000 clients that connect and close at once, in each protocol" {
    # Under memcheck every fork child runs a leak check of its own as it
    # exits: 100 clients make the same point there in reasonable time.
    local proto n=1000
    [ -z "${VALGRIND:-}" ] || n=100
    for proto in echo size http; do
        serve "$proto"
        run "$TCPCHECK" flood "$PORT" "$n"
        [ "$status" -eq 0 ]
        [ "$output" = "flooded $n" ]
        healthy
        stop_server
        [ "$SRV_RC" -eq 0 ]
        [ "$(jq .completed "$STATS")" -eq "$(jq .accepted "$STATS")" ]
        [ "$(jq .accepted "$STATS")" -eq $((n + 3)) ]
    done
}
