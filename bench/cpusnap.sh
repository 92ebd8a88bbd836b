#!/usr/bin/env bash
# cpusnap.sh "CPUS" SERVER_PID: one snapshot of what the CPUs CPUS (a
# space-separated list) have done, for the bench's interference check
# (bench/lib.sh, window_row): "BUSY IRQ STEAL KTHREADS SERVER" in clock
# ticks. BUSY is user+nice+system+irq+softirq of CPUS, IRQ the irq+softirq
# part, STEAL their steal, KTHREADS the CPU of the machine's kernel threads
# (children of kthreadd, pid 2: ksoftirqd, kworkers, RCU) wherever they ran:
# a kernel thread moves between CPUs, and counting only those last seen on
# CPUS made the sum jump by a thread's whole lifetime when one moved in or
# out of the set (when CPUS are all the CPUs, as by default, the two are the
# same; otherwise other CPUs' kernel work is subtracted too, which errs on
# the side of never overstating other programs' share), SERVER
# the CPU of process SERVER_PID and its reaped children so far (0: none).
# A script of its own because it runs on the machine it describes: this one,
# and the server's host when the server runs elsewhere (SERVER_HOST).
set -euo pipefail
# cat, not awk, opens the /proc files: a process may exit between the glob
# and the read, and mawk stops at a file it cannot open.
{ cat /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v cpus=" $1 " -v srv="${2:-0}" '
    $1 ~ /^cpu[0-9]+$/ {
        if (index(cpus, " " substr($1, 4) " ")) {
            busy += $2 + $3 + $4 + $7 + $8; irq += $7 + $8; steal += $9
        }
        next
    }
    $1 ~ /^[0-9]+$/ {
        pid = $1
        sub(/^.*\) /, "")
        if (pid == srv) server += $12 + $13 + $14 + $15
        else if ($2 == 2 || pid == 2) kthreads += $12 + $13
    }
    END { printf "%d %d %d %d %d\n", busy, irq, steal, kthreads, server }'
