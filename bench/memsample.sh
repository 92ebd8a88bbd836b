#!/usr/bin/env bash
# memsample.sh PID: the memory of a process and all its descendants, as one
# JSON object on stdout:
#   {"pid":P,"processes":N,"threads":T,"pss_kib":S,"rss_kib":R,
#    "page_tables_kib":PT,"kernel_stack_kib":KS}
# pss_kib sums each process's proportional set size (smaps_rollup), so pages
# a fork child shares with its parent are counted once in all, not once per
# process as rss_kib counts them. page_tables_kib and kernel_stack_kib are
# the whole machine's (/proc/meminfo): a caller takes their difference
# between two samples to see what a server added.
set -euo pipefail

# descendants PID: PID and every process below it, one per line.
descendants() {
    local p=$1 t c
    echo "$p"
    for t in /proc/"$p"/task/*/children; do
        [ -r "$t" ] || continue
        for c in $(<"$t"); do
            descendants "$c"
        done
    done
}

# field FILE NAME: the kB value of line "NAME: value kB" in FILE (0 if none).
field() {
    awk -v n="$2:" '$1 == n {v = $2} END {print v + 0}' "$1" 2>/dev/null || echo 0
}

main() {
    if [ $# -ne 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
        echo "usage: memsample.sh PID" >&2
        exit 2
    fi
    [ -d "/proc/$1" ] || {
        echo "memsample.sh: no process $1" >&2
        exit 1
    }
    local pid procs=0 threads=0 pss=0 rss=0 v
    for pid in $(descendants "$1"); do
        # A process may end between listing and reading: it then adds 0.
        [ -r "/proc/$pid/smaps_rollup" ] || continue
        procs=$((procs + 1))
        v=$(field "/proc/$pid/smaps_rollup" Pss)
        pss=$((pss + v))
        v=$(field "/proc/$pid/smaps_rollup" Rss)
        rss=$((rss + v))
        v=$(awk '$1 == "Threads:" {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        threads=$((threads + ${v:-0}))
    done
    printf '{"pid":%d,"processes":%d,"threads":%d,"pss_kib":%d,"rss_kib":%d,"page_tables_kib":%d,"kernel_stack_kib":%d}\n' \
        "$1" "$procs" "$threads" "$pss" "$rss" \
        "$(field /proc/meminfo PageTables)" "$(field /proc/meminfo KernelStack)"
}

main "$@"
