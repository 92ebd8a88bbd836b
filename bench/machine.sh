#!/usr/bin/env bash
# machine.sh: prints machine.json, what a reader needs to judge a run: the
# CPU, kernel, compiler and flags, the limits and sysctls that bound
# connection storms, THP and the cpufreq governor, the git commit, and (from
# the environment) PROFILE, PINNING, the CPU split (SERVER_CPUS, CLIENT_CPUS,
# CLIENT_THREADS) and how busy the machine was before the run (BUSY_BEFORE
# CPUs; BUSY_FLAG 1 when over the profile's threshold). A value that cannot
# be read is null.
set -euo pipefail
cd "$(dirname "$0")/.."

# read_file PATH: the file's first line, or nothing.
read_file() {
    if [ -r "$1" ]; then head -n 1 "$1"; fi
}

cpu_model() {
    awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true
}

# thp: the bracketed choice of /sys/kernel/mm/transparent_hugepage/enabled.
thp() {
    read_file /sys/kernel/mm/transparent_hugepage/enabled | sed -n 's/.*\[\(.*\)\].*/\1/p'
}

compiler() {
    local cc=${CC:-cc}
    "$cc" --version 2>/dev/null | head -n 1 || true
}

git_commit() { git rev-parse HEAD 2>/dev/null || true; }

# git_dirty: "true" when tracked files differ from the commit.
git_dirty() {
    if git diff --quiet HEAD 2>/dev/null; then echo false; else echo true; fi
}

tool_version() { "$@" 2>/dev/null | head -n 1 || true; }

main() {
    jq -n \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg host "$(hostname)" \
        --arg cpu "$(cpu_model)" \
        --arg cpus "$(nproc)" \
        --arg cpus_all "$(nproc --all)" \
        --arg mem_kib "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
        --arg kernel "$(uname -srvm)" \
        --arg cc "$(compiler)" \
        --arg flags "$(read_file build/flags)" \
        --arg nofile_soft "$(ulimit -Sn)" --arg nofile_hard "$(ulimit -Hn)" \
        --arg nproc_soft "$(ulimit -Su)" --arg nproc_hard "$(ulimit -Hu)" \
        --arg somaxconn "$(read_file /proc/sys/net/core/somaxconn)" \
        --arg port_range "$(read_file /proc/sys/net/ipv4/ip_local_port_range | tr -s '\t ' ' ')" \
        --arg tw_reuse "$(read_file /proc/sys/net/ipv4/tcp_tw_reuse)" \
        --arg pid_max "$(read_file /proc/sys/kernel/pid_max)" \
        --arg threads_max "$(read_file /proc/sys/kernel/threads-max)" \
        --arg thp "$(thp)" \
        --arg governor "$(read_file /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)" \
        --arg commit "$(git_commit)" --argjson dirty "$(git_dirty)" \
        --arg client "$(tool_version bin/client_load --version)" \
        --arg hyperfine "$(tool_version hyperfine --version)" \
        --arg gnuplot "$(tool_version gnuplot --version)" \
        --arg profile "${PROFILE:-}" --arg pinning "${PINNING:-}" \
        --arg server_cpus "${SERVER_CPUS:-}" --arg client_cpus "${CLIENT_CPUS:-}" \
        --arg client_threads "${CLIENT_THREADS:-}" \
        --arg busy "${BUSY_BEFORE:-}" --arg busy_flag "${BUSY_FLAG:-}" \
        --arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" '
        def orNull: if . == "" then null else . end;
        def num: if . == "" or . == "unlimited" then orNull else tonumber end;
        {date: $date, host: $host,
         cpu: {model: ($cpu | orNull), cpus_online: ($cpus | num),
               cpus_total: ($cpus_all | num), memory_kib: ($mem_kib | num)},
         kernel: $kernel,
         compiler: {cc: ($cc | orNull), flags: ($flags | orNull)},
         limits: {rlimit_nofile: {soft: ($nofile_soft | num), hard: ($nofile_hard | num)},
                  rlimit_nproc: {soft: ($nproc_soft | num), hard: ($nproc_hard | num)}},
         sysctl: {"net.core.somaxconn": ($somaxconn | num),
                  "net.ipv4.ip_local_port_range": ($port_range | orNull),
                  "net.ipv4.tcp_tw_reuse": ($tw_reuse | num),
                  "kernel.pid_max": ($pid_max | num),
                  "kernel.threads-max": ($threads_max | num)},
         transparent_hugepage: ($thp | orNull),
         cpufreq_governor: ($governor | orNull),
         git: {commit: ($commit | orNull), dirty: $dirty},
         tools: {client_load: ($client | orNull), hyperfine: ($hyperfine | orNull),
                 gnuplot: ($gnuplot | orNull)},
         profile: ($profile | orNull), pinning: ($pinning | orNull),
         cpus: {server: ($server_cpus | orNull), client: ($client_cpus | orNull),
                client_threads: ($client_threads | num)},
         before_run: (if $busy == "" then null
                      else {busy_cpus: ($busy | tonumber), busy: ($busy_flag == "1"),
                            loadavg: $loadavg} end)}'
}

main "$@"
