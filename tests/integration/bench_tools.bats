#!/usr/bin/env bats
# The bench's measuring tools, tested on their own: bin/spawn_cost,
# bench/memsample.sh, bench/readme.py and the committed reference run.

bats_require_minimum_version 1.5.0
load helpers

MEMSAMPLE=$BATS_TEST_DIRNAME/../../bench/memsample.sh
ROOT=$BATS_TEST_DIRNAME/../..

children_are() { [ "$(child_count "$SRV_PID")" -eq "$1" ]; }
threads_at_least() { [ "$(awk '/^Threads:/ {print $2}' "/proc/$SRV_PID/status")" -ge "$1" ]; }

teardown() {
    [ -z "${CL_PID:-}" ] || stop_client
    kill_server
}

@test "spawn_cost prints one row per round, the primitives' rounds interleaved" {
    run --separate-stderr "$BIN/spawn_cost" -n 20 -r 3 -b 0,8
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "ballast_mb,primitive,calls,round,us_per_call" ]
    [ "${#lines[@]}" -eq 13 ]
    # Each size: fork first in odd rounds, thread first in even ones.
    local want=(fork thread thread fork fork thread) i mib prim calls round us
    for i in $(seq 1 12); do
        IFS=, read -r mib prim calls round us <<<"${lines[i]}"
        [ "$mib" = "$(((i - 1) / 6 * 8))" ]
        [ "$prim" = "${want[(i - 1) % 6]}" ]
        [ "$calls" = 20 ] && [ "$round" = $(((i - 1) % 6 / 2 + 1)) ]
        awk -v u="$us" 'BEGIN { exit !(u > 0) }'
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

@test "the README's figures are those of the committed data" {
    python3 "$ROOT/bench/readme.py" --check
    grep -q '<!-- generated: verdicts results/reference -->' "$ROOT/README.md"
}

@test "the README check fails when a quoted figure is changed" {
    local copy=$BATS_TEST_TMPDIR/README.md
    # The first number after the reference block's opening line, plus one.
    awk '/<!-- generated: verdicts/ { on = 1 }
         on && !done && match($0, /[0-9]+\.[0-9]+×/) {
             n = substr($0, RSTART, RLENGTH - 2)
             $0 = substr($0, 1, RSTART - 1) sprintf("%.2f", n + 1) substr($0, RSTART + RLENGTH - 2)
             done = 1 }
         { print }' "$ROOT/README.md" >"$copy"
    ! cmp -s "$copy" "$ROOT/README.md"
    run python3 "$ROOT/bench/readme.py" --check "$copy"
    [ "$status" -eq 1 ]
    [[ $output == *"differs from its data"* ]]
}

@test "--replot of the reference run reproduces its report and its page byte for byte" {
    cp -r "$ROOT/results/reference" "$BATS_TEST_TMPDIR/reference"
    "$ROOT/bench/run.sh" --replot "$BATS_TEST_TMPDIR/reference"
    cmp "$ROOT/results/reference/report.md" "$BATS_TEST_TMPDIR/reference/report.md"
    cmp "$ROOT/results/reference/report.html" "$BATS_TEST_TMPDIR/reference/report.html"
    cmp "$ROOT/results/reference/data/verdicts.csv" "$BATS_TEST_TMPDIR/reference/data/verdicts.csv"
}
