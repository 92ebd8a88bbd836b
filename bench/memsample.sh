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

main() {
    if [ $# -ne 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
        echo "usage: memsample.sh PID" >&2
        exit 2
    fi
    [ -d "/proc/$1" ] || {
        echo "memsample.sh: no process $1" >&2
        exit 1
    }
    local -a files=()
    local pid
    for pid in $(descendants "$1"); do
        files+=("/proc/$pid/smaps_rollup" "/proc/$pid/status")
    done
    # One grep and one awk for every process's files, not one per child, so
    # sampling 10,000 children takes a second, not minutes. A process that
    # ends between listing and reading is skipped: grep goes on past a file
    # it cannot open (awk would stop).
    { grep -H -E '^(Pss|Rss|Threads|PageTables|KernelStack):' \
        "${files[@]}" /proc/meminfo 2>/dev/null || true; } |
        awk -F: -v pid="$1" '
            { v = $3 + 0 }
            $1 ~ /smaps_rollup$/ && $2 == "Pss" { procs++; pss += v }
            $1 ~ /smaps_rollup$/ && $2 == "Rss" { rss += v }
            $1 ~ /status$/ && $2 == "Threads" { threads += v }
            $1 == "/proc/meminfo" && $2 == "PageTables" { pt = v }
            $1 == "/proc/meminfo" && $2 == "KernelStack" { ks = v }
            END {
                printf "{\"pid\":%d,\"processes\":%d,\"threads\":%d,\"pss_kib\":%d,\"rss_kib\":%d,\"page_tables_kib\":%d,\"kernel_stack_kib\":%d}\n",
                    pid, procs, threads, pss, rss, pt, ks
            }'
}

main "$@"
