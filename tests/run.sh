#!/usr/bin/env bash
# run.sh: runs every unit test binary, then the per-server integration suites
# (server.bats, hostile.bats) once against each server binary in each mode
# (a process or thread per accept, --prespawn 4, --iterative; pool.bats in
# the first), then the other integration suites once, and ends with one line
# "N passed, N failed".
# SERVERS="fork_server" limits the servers; MODES=",--iterative" the modes
# (comma-separated flags, an empty field for the default); BATS_FILTER
# narrows bats tests;
# VALGRIND=1 runs the integration suites with the programs under memcheck
# (the unit tests and the bench suites are left out there: they test the
# bench's tools, whose readings memcheck itself would distort).
set -euo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()

# The cmocka binaries, then the unit tests of the bench's Python modules.
run_unit() {
    local t
    for t in bin/tests/test_*; do
        [ -x "$t" ] || continue
        unit "${t##*/}" "$t"
    done
    for t in tests/unit/test_*.py; do
        unit "${t##*/}" python3 "$t"
    done
}

# unit NAME COMMAND...: one unit test program, counted once.
unit() {
    local name=$1
    shift
    echo "== unit: $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("unit $name")
    fi
}

# Counts bats' TAP lines: each "ok" or "not ok" is one test.
run_bats() {
    local label=$1 out
    shift
    echo "== integration: $label"
    out=$(mktemp)
    local -a filter=()
    [ -n "${BATS_FILTER:-}" ] && filter=(--filter "$BATS_FILTER")
    bats --tap "${filter[@]}" "$@" | tee "$out" || true
    local ok bad
    ok=$(grep -c '^ok ' "$out" || true)
    bad=$(grep -c '^not ok ' "$out" || true)
    if ! grep -q '^1\.\.[0-9]' "$out"; then
        bad=$((bad + 1))            # bats itself failed to run
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    [ "$bad" -eq 0 ] || failures+=("integration $label: $bad")
    rm -f "$out"
}

main() {
    [ -n "${VALGRIND:-}" ] || run_unit
    local s f
    local -a per_server=(tests/integration/server.bats tests/integration/hostile.bats)
    local -a modes mode_suites
    IFS=, read -ra modes <<<"${MODES-,--prespawn 4,--iterative}"
    [ "${#modes[@]}" -gt 0 ] || modes=("")
    local mode
    for s in ${SERVERS:-fork_server thread_server}; do
        for mode in "${modes[@]}"; do
            mode_suites=("${per_server[@]}")
            [ -n "$mode" ] || mode_suites+=(tests/integration/pool.bats)
            SERVER="$PWD/bin/$s" SERVER_ARGS="$mode" \
                run_bats "$s${mode:+ $mode}" "${mode_suites[@]}"
        done
    done
    for f in tests/integration/*.bats; do
        case " ${per_server[*]} tests/integration/pool.bats " in *" $f "*) continue ;; esac
        if [ -n "${VALGRIND:-}" ]; then
            case $f in */bench.bats | */bench_tools.bats | */remote.bats) continue ;; esac
        fi
        run_bats "${f##*/}" "$f"
    done
    if [ "${#failures[@]}" -gt 0 ]; then
        printf 'failed: %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

main "$@"
