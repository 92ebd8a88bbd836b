#!/usr/bin/env bats
# client_load against our two servers and against tests/helpers/badpeer, a
# server that misbehaves on purpose: its counts must equal the servers'
# accounting, each kind of error must be counted where it happens, and its
# outputs must hold what docs/client_load.md says. Runs once (not per
# server): each test picks the servers it needs.

# shellcheck disable=SC2030,SC2031,SC2034,SC2154  # @test bodies are subshells; run sets stderr
bats_require_minimum_version 1.5.0
load helpers

CLIENT=$BIN/client_load
BADPEER=$BIN/tests/badpeer

setup() {
    STATS=$BATS_TEST_TMPDIR/stats.json
    JSON=$BATS_TEST_TMPDIR/client.json
    PEER_PID=
    NS=
}

teardown() {
    kill_server
    if [ -n "$PEER_PID" ]; then
        kill -KILL "$PEER_PID" 2>/dev/null || true
        wait "$PEER_PID" 2>/dev/null || true
    fi
    if [ -n "$NS" ]; then
        ip netns del "$NS" 2>/dev/null || true
    fi
}

# ---- helpers -----------------------------------------------------------------

# start_peer MODE [PROTO]: starts badpeer and waits for its listening line
# (read from a FIFO, as start_server does); sets PEER_PID and PEER_PORT.
start_peer() {
    local fifo=$BATS_TEST_TMPDIR/peer.$RANDOM line
    mkfifo "$fifo"
    "$BADPEER" "$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/peer.err" 3>&- &
    PEER_PID=$!
    exec 5<"$fifo"
    rm -f "$fifo"
    if ! IFS= read -r -t 30 line <&5; then
        echo "badpeer did not start:" >&2
        cat "$BATS_TEST_TMPDIR/peer.err" >&2
        return 1
    fi
    [[ $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)\ mode=.*\ pid=([0-9]+)$ ]]
    PEER_PORT=${BASH_REMATCH[1]}
    [ "${BASH_REMATCH[2]}" = "$PEER_PID" ]
}

stop_peer() {
    kill "$PEER_PID"
    wait_exit "$PEER_PID" "$EXIT_S" badpeer || true
    PEER_PID=
    exec 5<&-
}

# client ARGS...: runs client_load quietly with --json "$JSON"; status,
# output and stderr as bats' run sets them.
client() {
    run --separate-stderr "${VG[@]}" "$CLIENT" -q --json "$JSON" "$@"
}

# cj FILTER: a value from the client's JSON.
cj() { jq -r "$1" "$JSON"; }

# sj FIELD: a field of the server's accounting written at exit.
sj() { jq -r ".$1" "$STATS"; }

# ---- (a) against our servers: zero errors, and counts that agree ------------

# agree SERVER PROTO R N: one run of N requests against a fresh server, then
# the client's counts against the server's accounting.
agree() {
    local server=$1 proto=$2 r=$3 n=$4 conns=8
    SERVER=$BIN/$server start_server --protocol "$proto" --stats "$STATS"
    client -P "$proto" -t 2 -c "$conns" -n "$n" -r "$r" -s 100 "127.0.0.1:$PORT"
    [ "$status" -eq 0 ] || { echo "client: $stderr"; return 1; }
    stop_server
    [ "$SRV_RC" -eq 0 ]
    local want_conns=$conns
    [ "$r" -eq 1 ] && want_conns=$n
    local errs unfinished reqs lat conns_made sent got
    read -r errs unfinished reqs lat conns_made sent got < <(jq -r '[.errors.total,
        .totals.unfinished, .totals.requests, .latency_us.request.count,
        .totals.connections, .totals.bytes_sent, .totals.bytes_received] | @tsv' "$JSON")
    local s_errs s_reqs s_acc s_in s_out
    read -r s_errs s_reqs s_acc s_in s_out < <(jq -r '[.protocol_errors, .requests,
        .accepted, .bytes_in, .bytes_out] | @tsv' "$STATS")
    echo "$server $proto -r $r: client: errors $errs unfinished $unfinished" \
        "requests $reqs ($lat timed) connections $conns_made sent $sent read $got"
    echo "$server $proto -r $r: server: protocol_errors $s_errs requests $s_reqs" \
        "accepted $s_acc bytes_in $s_in bytes_out $s_out"
    [ "$errs" -eq 0 ]
    [ "$unfinished" -eq 0 ]
    [ "$s_errs" -eq 0 ]
    [ "$reqs" -eq "$n" ]
    [ "$lat" -eq "$n" ]
    # Echo has no request boundaries on the server's side: its bytes count.
    [ "$proto" = echo ] || [ "$s_reqs" -eq "$reqs" ]
    [ "$sent" -eq "$s_in" ]
    [ "$got" -eq "$s_out" ]
    [ "$conns_made" -eq "$want_conns" ]
    [ "$s_acc" -eq "$want_conns" ]
}

@test "fork_server, echo, size and http, -r 1 and -r 0: no error, the server's counts" {
    local proto r
    for proto in echo size http; do
        for r in 1 0; do
            agree fork_server "$proto" "$r" $((r ? 1000 : 3000))
        done
    done
}

@test "thread_server, echo, size and http, -r 1 and -r 0: no error, the server's counts" {
    local proto r
    for proto in echo size http; do
        for r in 1 0; do
            agree thread_server "$proto" "$r" $((r ? 1000 : 3000))
        done
    done
}

@test "-r 3: three requests per connection, every protocol" {
    local proto
    for proto in echo size http; do
        SERVER=$BIN/thread_server start_server --protocol "$proto" --stats "$STATS"
        client -P "$proto" -t 1 -c 3 -n 300 -r 3 "127.0.0.1:$PORT"
        [ "$status" -eq 0 ]
        stop_server
        # 100 connections of 3 requests, and up to two more that -n cut short
        # (the three slots share the 300 as they come).
        local conns
        conns=$(cj .totals.connections)
        [ "$(cj '[.errors.total, .totals.requests] | @tsv')" = "$(printf '0\t300')" ]
        [ "$conns" -ge 100 ]
        [ "$conns" -le 102 ]
        [ "$(sj accepted)" -eq "$conns" ]
        [ "$(cj .latency_us.connection.count)" -ge 98 ]
    done
}

@test "a -d run against both servers: requests and errors add up, none lost" {
    local server
    for server in fork_server thread_server; do
        SERVER=$BIN/$server start_server --protocol http --stats "$STATS"
        client -P http -t 2 -c 16 -d 1 -r 1 "127.0.0.1:$PORT"
        [ "$status" -eq 0 ]
        stop_server
        [ "$(cj .errors.total)" -eq 0 ]
        # The server answered every request the client completed, and at
        # most the ones in flight at the stop besides.
        local completed unfinished
        completed=$(cj .totals.requests)
        unfinished=$(cj .totals.unfinished)
        [ "$completed" -gt 0 ]
        [ "$(sj requests)" -ge "$completed" ]
        [ "$(sj requests)" -le $((completed + unfinished)) ]
    done
}

# ---- (b) each kind of error, on purpose ----------------------------------------

# failed KIND N: the run failed every one of its N requests with errors of
# KIND, exited 1 and said so.
failed() {
    local kind=$1 n=$2
    [ "$status" -eq 1 ] || { echo "status $status: $stderr"; return 1; }
    [[ $stderr == *"every request failed ($n errors, most $kind)"* ]] ||
        { echo "stderr: $stderr"; return 1; }
    [ "$(jq -r "[.totals.requests, .errors.$kind, .errors.total,
                 .errors.first.$kind != null] | @tsv" "$JSON")" = \
        "$(printf '0\t%s\t%s\ttrue' "$n" "$n")" ] || { cat "$JSON"; return 1; }
}

@test "connect errors: a port bound but not listening refuses every connect" {
    start_peer refuse
    client -t 1 -c 1 -n 5 "127.0.0.1:$PEER_PORT"
    failed connect 5
    [[ $(cj .errors.first.connect) == *"connection refused"* ]]
    [ "$(cj .totals.connections)" -eq 0 ]
}

@test "closed errors: a peer that hangs up without a byte of reply, in each protocol" {
    local proto
    for proto in echo size http; do
        start_peer hang-up "$proto"
        client -P "$proto" -t 1 -c 1 -n 4 "127.0.0.1:$PEER_PORT"
        failed closed 4
        [[ $(cj .errors.first.closed) == *"closed the connection before replying"* ]]
        [ "$(cj .errors.protocol)" -eq 0 ]
        stop_peer
    done
}

@test "timeout errors: a server sleeping longer than -T" {
    SERVER=$BIN/thread_server start_server --protocol http --sleep-us 1000000
    client -P http -t 1 -c 1 -n 3 -T 0.1 "127.0.0.1:$PORT"
    failed timeout 3
    [[ $(cj .errors.first.timeout) == *"no complete reply within 0.1 s"* ]]
    [ "$(cj .latency_us.request.count)" -eq 0 ]
}

@test "read errors: a peer that resets after reading the request" {
    local proto
    for proto in echo size http; do
        start_peer reset "$proto"
        client -P "$proto" -t 1 -c 1 -n 4 "127.0.0.1:$PEER_PORT"
        failed read 4
        [[ $(cj .errors.first.read) == *"connection reset by peer"* ]]
        stop_peer
    done
}

@test "write errors: a peer that resets while a 64 MiB echo request is sent" {
    start_peer reset echo
    client -P echo -s 67108864 -t 1 -c 1 -n 3 "127.0.0.1:$PEER_PORT"
    failed write 3
    [[ $(cj .errors.first.write) == *"write 127.0.0.1:$PEER_PORT: "* ]]
}

@test "protocol errors: replies short, wrong or too long, in each protocol" {
    local mode proto r
    for mode in close-early wrong-bytes extra-bytes; do
        for proto in echo size http; do
            # A size reply has no content to get wrong, only a length.
            [ "$mode-$proto" != wrong-bytes-size ] || continue
            start_peer "$mode" "$proto"
            for r in 1 0; do
                client -P "$proto" -t 1 -c 2 -n 6 -r "$r" "127.0.0.1:$PEER_PORT"
                failed protocol 6 || { echo "$mode $proto -r $r"; return 1; }
            done
            stop_peer
        done
    done
    start_peer close-early http
    client -P http -n 1 -c 1 "127.0.0.1:$PEER_PORT"
    [[ $(cj .errors.first.protocol) == *"short: the peer closed after 32 of 64 bytes"* ]]
    stop_peer
    start_peer wrong-bytes http
    client -P http -n 1 -c 1 "127.0.0.1:$PEER_PORT"
    [[ $(cj .errors.first.protocol) == *"http status 503"* ]]
    stop_peer
    start_peer wrong-bytes echo
    client -P echo -n 1 -c 1 "127.0.0.1:$PEER_PORT"
    [[ $(cj .errors.first.protocol) == *"echo reply differs from the request"* ]]
    stop_peer
    run "$BADPEER" wrong-bytes size
    [ "$status" -eq 2 ]
    start_peer extra-bytes http
    client -P http -n 1 -c 1 "127.0.0.1:$PEER_PORT"
    [[ $(cj .errors.first.protocol) == *"8 bytes more than the 64 asked for"* ]]
}

@test "http: a server that stays open after Connection: close is no error" {
    start_peer keep-open http
    client -P http -t 1 -c 2 -n 4 -r 1 -T 0.2 "127.0.0.1:$PEER_PORT"
    [ "$status" -eq 0 ]
    [ "$(cj .totals.requests)" -eq 4 ]
    [ "$(cj .totals.kept_open)" -eq 4 ]
    [ "$(cj .errors.total)" -eq 0 ]
    # Measured to the reply's last byte, not to the client's close.
    [ "$(jq '.latency_us.request.max < 100000' "$JSON")" = true ]
    [ "$(jq '.latency_us.connection.min >= 150000' "$JSON")" = true ]
}

@test "an interrupted run still reports, and a run with no success exits 1" {
    start_peer silent http
    "$CLIENT" -q -P http -c 1 -d 30 -T 20 --json "$JSON" "127.0.0.1:$PEER_PORT" 3>&- 5>&- &
    local pid=$!
    track "$pid"
    # The request is in flight once the peer has a connection.
    wait_for bash -c "ss -Htn state established '( dport = :$PEER_PORT )' | grep -q ."
    kill -INT "$pid"
    wait_exit "$pid" 10 "client_load after SIGINT"
    [ "$EXIT_RC" -eq 1 ]
    [ "$(cj .interrupted)" = true ]
    [ "$(cj .totals.unfinished)" -eq 1 ]
    [ "$(cj .errors.total)" -eq 0 ]
}

# ---- (c) ephemeral ports, in a network namespace of the test's own -------------

# netns_up LOW HIGH: a namespace with loopback up, the ephemeral port range
# LOW..HIGH and no TIME_WAIT reuse; SERVER then starts thread_server in it.
netns_up() {
    [ "$(id -u)" -eq 0 ] || skip "needs root for ip netns"
    NS=client_load_$$_$BATS_TEST_NUMBER
    ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    ip netns exec "$NS" sysctl -qw "net.ipv4.ip_local_port_range=$1 $2"
    ip netns exec "$NS" sysctl -qw net.ipv4.tcp_tw_reuse=0
    local wrapper=$BATS_TEST_TMPDIR/ns_server
    printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NS" \
        "$BIN/thread_server" >"$wrapper"
    chmod +x "$wrapper"
    SERVER=$wrapper
}

in_ns() { ip netns exec "$NS" "$@"; }

@test "ports exhausted: reported by name, and --source spreads the load" {
    netns_up 40000 40009
    start_server --protocol echo
    # Echo -r 1: the client closes first, so each used port sits in
    # TIME_WAIT on the client's side and ten are soon gone.
    run --separate-stderr in_ns "$CLIENT" -q --json "$JSON" -t 1 -c 1 -n 20 -r 1 \
        "127.0.0.1:$PORT"
    [ "$status" -eq 0 ]
    [[ $stderr == *"ephemeral ports exhausted: "*"use --source"* ]]
    local ok ports
    ok=$(cj .totals.requests)
    ports=$(cj .errors.ports_exhausted)
    [ "$ok" -ge 5 ]
    [ "$ok" -le 10 ]
    [ "$((ok + ports))" -eq 20 ]
    [ "$(cj .errors.connect)" -eq 0 ]
    [[ $(cj .errors.first.ports_exhausted) == *"cannot assign requested address"* ]]
    # Four more source addresses, each with ports of its own.
    run --separate-stderr in_ns "$CLIENT" -q --json "$JSON" -t 1 -c 1 -n 20 -r 1 \
        --source 127.0.0.2-127.0.0.5 "127.0.0.1:$PORT"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(cj .totals.requests)" -eq 20 ]
    [ "$(cj .errors.total)" -eq 0 ]
    [ "$(cj .config.source)" = 127.0.0.2-127.0.0.5 ]
}

@test "who closes: http -r 1 leaves TIME_WAIT on the server's side" {
    netns_up 40000 49999
    start_server --protocol http
    run in_ns "$CLIENT" -q -P http -t 1 -c 4 -n 200 -r 1 "127.0.0.1:$PORT"
    [ "$status" -eq 0 ]
    local tw
    tw=$(in_ns ss -Htan state time-wait)
    # The server closed first every time: every TIME_WAIT is on its port.
    [ "$(grep -c . <<<"$tw")" -eq 200 ]
    [ "$(awk -v p=":$PORT" '$3 ~ p"$"' <<<"$tw" | wc -l)" -eq 200 ]
}

@test "who closes: echo -r 1 leaves TIME_WAIT on the client's side" {
    netns_up 40000 49999
    start_server --protocol echo
    run in_ns "$CLIENT" -q -P echo -t 1 -c 4 -n 200 -r 1 "127.0.0.1:$PORT"
    [ "$status" -eq 0 ]
    local tw
    tw=$(in_ns ss -Htan state time-wait)
    [ "$(grep -c . <<<"$tw")" -eq 200 ]
    [ "$(awk -v p=":$PORT" '$4 ~ p"$"' <<<"$tw" | wc -l)" -eq 200 ]
}

# ---- (d) outputs -----------------------------------------------------------------

@test "--csv: the header once, then one row per run" {
    SERVER=$BIN/thread_server start_server --protocol size
    local csv=$BATS_TEST_TMPDIR/runs.csv i
    for i in 1 2 3; do
        run "$CLIENT" -q -P size -c 2 -n $((i * 100)) --csv "$csv" "127.0.0.1:$PORT"
        [ "$status" -eq 0 ]
    done
    [ "$(wc -l <"$csv")" -eq 4 ]
    [ "$(grep -c '^started,' "$csv")" -eq 1 ]
    head -1 "$csv" | grep -q '^started,target,protocol,'
    # Every row has the header's columns; requests is the 12th.
    local cols
    cols=$(head -1 "$csv" | awk -F, '{print NF}')
    [ "$(awk -F, -v n="$cols" 'NF != n' "$csv" | wc -l)" -eq 0 ]
    [ "$(head -1 "$csv" | cut -d, -f12)" = requests ]
    [ "$(sed -n 2,4p "$csv" | cut -d, -f12 | tr '\n' ' ')" = "100 200 300 " ]
    [ "$(sed -n 2p "$csv" | cut -d, -f3)" = size ]
}

@test "--json: valid, with the config, totals, errors, every percentile of every phase and the spectrum" {
    SERVER=$BIN/fork_server start_server --protocol http
    client -P http -t 2 -c 4 -n 500 -r 2 -s 512 -T 5 -w 0 "127.0.0.1:$PORT"
    [ "$status" -eq 0 ]
    jq -e . "$JSON" >/dev/null
    [ "$(cj .tool)" = client_load ]
    [ "$(cj .interrupted)" = false ]
    [[ $(cj .started) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
    [ "$(cj '.config | [.target, .protocol, .threads, .connections, .requests,
                         .requests_per_conn, .size, .timeout_s, .rate, .source] | @csv')" \
        = "\"127.0.0.1:$PORT\",\"http\",2,4,500,2,512,5,0," ]
    # Every documented field is there (missing ones are printed).
    [ -z "$(jq -r '
        def missing($obj; $keys): $keys[] | select(. as $k | $obj | has($k) | not);
        missing(.; ["tool", "version", "started", "interrupted", "config",
                    "totals", "errors", "latency_us"]),
        missing(.config; ["target", "host", "port", "protocol", "threads",
                    "connections", "duration_s", "requests", "warmup_s",
                    "requests_per_conn", "size", "rate", "timeout_s", "source"]),
        missing(.totals; ["elapsed_s", "requests", "connections", "bytes_sent",
                    "bytes_received", "requests_per_s", "connections_per_s",
                    "bytes_sent_per_s", "bytes_received_per_s", "unfinished",
                    "missed", "peer_closed", "kept_open"]),
        missing(.errors; ["connect", "read", "write", "timeout", "protocol",
                    "ports_exhausted", "closed", "total", "first"]),
        missing(.latency_us; ["connect", "first_byte", "request", "connection"]),
        (.latency_us | to_entries[] | .key as $p | .value as $v |
            missing($v; ["count", "overflow", "min", "max", "mean", "stdev",
                    "p50", "p75", "p90", "p99", "p99_9", "p99_99", "spectrum"])
            | "\($p).\(.)")' "$JSON")" ]
    [ "$(cj .totals.requests)" -eq 500 ]
    [ "$(cj .totals.connections)" -ge 250 ]
    # In every phase: percentiles in order within min..max, and a spectrum
    # rising to 100 % with every value counted (bad phases are printed).
    [ -z "$(jq -r '.latency_us | to_entries[] | .value as $v | select(
        ($v | .min <= .p50 and .p50 <= .p75 and .p75 <= .p90 and .p90 <= .p99
              and .p99 <= .p99_9 and .p99_9 <= .p99_99 and .p99_99 <= .max
              and (.spectrum | length) > 1
              and .spectrum[-1].percentile == 100
              and .spectrum[-1].count == .count
              and ([.spectrum[].value_us] | . == sort)
              and ([.spectrum[].percentile] | . == sort)) | not) | .key' "$JSON")" ]
    [ "$(cj .latency_us.request.count)" -eq 500 ]
    [ "$(cj .latency_us.connect.count)" -eq "$(cj .totals.connections)" ]
    [ "$(cj .latency_us.connection.count)" -le 250 ]
}
