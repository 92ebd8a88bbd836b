#!/usr/bin/env bash
# extras.sh NAME...: the measurements the README quotes outside the bench
# proper, each written to results/extras/NAME.txt: first the command, then
# the machine (kernel, CPUs, date, load average: other programs may have been
# running), then the command's output (stdout and stderr) as it printed it,
# and last the load average again.
# A command that fails still leaves its file, ending with its exit status;
# extras.sh then exits 1 after the remaining names. Names (all when none):
#   client_rss    bench/client_rss.sh 10000
#   bench_client  bench/bench_client/run.sh 5 5      (client_load against wrk on nginx)
#   real_clients  bench/real_clients.sh 5
#   syscalls      bench/syscalls.sh 1000         (strace -f -c of each server)
#   overload      bench/overload.sh 20
#   fuzz          make fuzz FUZZ_SECONDS=30
#   callgrind     bench/callgrind.sh 2 6         (instructions per request)
#   remote        bench/remote_example.sh 1,2    (SERVER_HOST through two network namespaces)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=results/extras
declare -A COMMANDS=(
    [client_rss]="bench/client_rss.sh 10000"
    [bench_client]="bench/bench_client/run.sh 5 5"
    [real_clients]="bench/real_clients.sh 5"
    [syscalls]="bench/syscalls.sh 1000"
    [overload]="bench/overload.sh 20"
    [fuzz]="make fuzz FUZZ_SECONDS=30"
    [callgrind]="bench/callgrind.sh 2 6"
    [remote]="bench/remote_example.sh 1,2"
)
ORDER=(client_rss bench_client real_clients syscalls overload fuzz callgrind remote)

usage() {
    echo "usage: bench/extras.sh [NAME...]; names: ${ORDER[*]}" >&2
    exit 2
}

machine() {
    echo "# $(uname -srm), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# record NAME: runs NAME's command, writing results/extras/NAME.txt (via a
# temporary file, so an interrupted run leaves the old one). Returns its
# exit status.
record() {
    local name=$1 cmd=${COMMANDS[$1]} file=$OUT/$1.txt rc=0
    local -a argv
    read -r -a argv <<<"$cmd"
    echo "extras: $name: $cmd" >&2
    {
        echo "\$ $cmd"
        machine
        "${argv[@]}" 2>&1 || rc=$?
        [ "$rc" -eq 0 ] || echo "# exit status $rc"
        echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    } >"$file.tmp"
    mv "$file.tmp" "$file"
    return "$rc"
}

main() {
    local -a names=("$@") failed=()
    [ $# -gt 0 ] || names=("${ORDER[@]}")
    local n
    for n in "${names[@]}"; do
        [ -n "${COMMANDS[$n]:-}" ] || usage
    done
    # A make run from here (make fuzz) prints what it would print at a
    # prompt, even when extras.sh itself runs under make.
    unset MAKEFLAGS MFLAGS MAKELEVEL
    mkdir -p "$OUT"
    trap 'rm -f "$OUT"/*.txt.tmp' EXIT
    for n in "${names[@]}"; do
        record "$n" || failed+=("$n")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "extras: failed: ${failed[*]} (see $OUT/)" >&2
        exit 1
    fi
}

main "$@"
