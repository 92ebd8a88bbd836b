#!/usr/bin/env bats
# The bench's measuring tools, tested on their own: bin/spawn_cost and
# bench/memsample.sh.

bats_require_minimum_version 1.5.0
load helpers

MEMSAMPLE=$BATS_TEST_DIRNAME/../../bench/memsample.sh

children_are() { [ "$(child_count "$SRV_PID")" -eq "$1" ]; }
threads_at_least() { [ "$(awk '/^Threads:/ {print $2}' "/proc/$SRV_PID/status")" -ge "$1" ]; }

teardown() {
    [ -z "${CL_PID:-}" ] || stop_client
    kill_server
}

@test "spawn_cost prints one row per size and primitive, min <= median <= max" {
    run --separate-stderr "$BIN/spawn_cost" -n 20 -r 3 -b 0,8
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "ballast_mb,primitive,calls,rounds,us_median,us_min,us_max" ]
    [ "${#lines[@]}" -eq 5 ]
    local want=("0,fork" "0,thread" "8,fork" "8,thread") i
    for i in 1 2 3 4; do
        [[ ${lines[i]} == "${want[i - 1]},20,3,"* ]]
        IFS=, read -r _ _ _ _ med lo hi <<<"${lines[i]}"
        awk -v m="$med" -v l="$lo" -v h="$hi" 'BEGIN {exit !(l > 0 && l <= m && m <= h)}'
    done
}

@test "spawn_cost refuses bad usage with exit 2" {
    run "$BIN/spawn_cost" -n 0
    [ "$status" -eq 2 ]
    run "$BIN/spawn_cost" -b 64,8
    [ "$status" -eq 2 ]
    run "$BIN/spawn_cost" extra
    [ "$status" -eq 2 ]
}

@test "memsample sums PSS over a fork_server and its children: shared pages once" {
    SERVER=$BIN/fork_server start_server --ballast-mb 32
    local before
    before=$("$MEMSAMPLE" "$SRV_PID")
    jq -e '.processes == 1 and .pss_kib >= 32768' <<<"$before"
    start_client "$TCPCHECK" hold "$PORT" 3
    client_line
    [ "$CL_LINE" = "held 3" ]
    wait_for children_are 3
    run "$MEMSAMPLE" "$SRV_PID"
    [ "$status" -eq 0 ]
    # (A sanitizer runtime may add threads of its own: at least one each.)
    jq -e '.processes == 4 and .threads >= 4' <<<"$output"
    # The 32 MiB ballast is in all four processes: RSS counts it four times,
    # PSS (shared copy-on-write) once. Each child may add some private pages
    # of its own (more in a sanitizer build), far below another 32 MiB.
    jq -e --argjson b "$before" '.rss_kib >= $b.rss_kib + 3 * 32768' <<<"$output"
    jq -e --argjson b "$before" '.pss_kib < $b.pss_kib + 3 * 12288' <<<"$output"
}

@test "memsample counts a thread_server's threads in one process" {
    SERVER=$BIN/thread_server start_server
    local base
    base=$(awk '/^Threads:/ {print $2}' "/proc/$SRV_PID/status")
    start_client "$TCPCHECK" hold "$PORT" 3
    client_line
    [ "$CL_LINE" = "held 3" ]
    wait_for threads_at_least $((base + 3))
    run "$MEMSAMPLE" "$SRV_PID"
    [ "$status" -eq 0 ]
    # (A sanitizer runtime may start a thread of its own meanwhile.)
    jq -e --argjson t $((base + 3)) '.processes == 1 and .threads >= $t and .pss_kib > 0' <<<"$output"
}

@test "memsample refuses bad usage" {
    run "$MEMSAMPLE"
    [ "$status" -eq 2 ]
    run "$MEMSAMPLE" notapid
    [ "$status" -eq 2 ]
}
