#!/usr/bin/env bash
# run.sh SECONDS: builds the libFuzzer harnesses with ASan and UBSan (clang)
# and runs each for SECONDS, starting from the seed corpus in the repository
# (new inputs go to build/fuzz/, which git ignores). Prints the executions of
# each; exits non-zero on any crash or contract violation.
set -euo pipefail
cd "$(dirname "$0")/../.."

secs=${1:-60}
cc=${FUZZ_CC:-clang}

build() {
    mkdir -p bin/fuzz
    "$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -D_GNU_SOURCE -Icommon "tests/fuzz/fuzz_$1.c" common/proto.c \
        -o "bin/fuzz/fuzz_$1"
}

run() {
    local name=$1 work=build/fuzz/corpus-$1 log
    mkdir -p "$work" build/fuzz/artifacts
    log=build/fuzz/$name.log
    if ! "bin/fuzz/fuzz_$name" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix=build/fuzz/artifacts/ "$work" "tests/fuzz/corpus/$name" \
        >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz_$name: FAILED (input saved under build/fuzz/artifacts/)"
        return 1
    fi
    local execs
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    echo "fuzz_$name: $execs executions in ${secs}s, no crash"
}

main() {
    local t
    for t in http size; do
        build "$t"
    done
    for t in http size; do
        run "$t"
    done
}

main "$@"
