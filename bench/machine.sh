#!/usr/bin/env bash
# machine.sh [--facts]: prints machine.json, what a reader needs to judge a run: the
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

# facts: what describes a host, one "name=value" line each (no jq: this
# part also runs on the server's host, SERVER_HOST, which may lack it).
facts() {
    printf '%s=%s\n' \
        host "$(hostname)" cpu "$(cpu_model)" cpus "$(nproc)" cpus_all "$(nproc --all)" \
        mem_kib "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" kernel "$(uname -srvm)" \
        nofile_soft "$(ulimit -Sn)" nofile_hard "$(ulimit -Hn)" \
        nproc_soft "$(ulimit -Su)" nproc_hard "$(ulimit -Hu)" \
        somaxconn "$(read_file /proc/sys/net/core/somaxconn)" \
        port_range "$(read_file /proc/sys/net/ipv4/ip_local_port_range | tr -s '\t ' ' ')" \
        tw_reuse "$(read_file /proc/sys/net/ipv4/tcp_tw_reuse)" \
        pid_max "$(read_file /proc/sys/kernel/pid_max)" \
        threads_max "$(read_file /proc/sys/kernel/threads-max)" \
        thp "$(thp)" governor "$(read_file /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)" \
        loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# main [--facts]: machine.json, or (--facts) only this host's facts. With
# SERVER_FACTS (a file of the server host's facts) machine.json also has
# server_machine, and PATH_RTT_US and PATH_LOOPBACK describe the path.
main() {
    if [ "${1:-}" = --facts ]; then
        facts
        return
    fi
    local server=
    [ -z "${SERVER_FACTS:-}" ] || server=$(cat "$SERVER_FACTS")
    jq -n \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg here "$(facts)" --arg server "$server" \
        --arg cc "$(compiler)" \
        --arg flags "$(read_file build/flags)" \
        --arg commit "$(git_commit)" --argjson dirty "$(git_dirty)" \
        --arg client "$(tool_version bin/client_load --version)" \
        --arg hyperfine "$(tool_version hyperfine --version)" \
        --arg gnuplot "$(tool_version gnuplot --version)" \
        --arg profile "${PROFILE:-}" --arg pinning "${PINNING:-}" \
        --arg server_cpus "${SERVER_CPUS:-}" --arg client_cpus "${CLIENT_CPUS:-}" \
        --arg client_threads "${CLIENT_THREADS:-}" \
        --arg busy "${BUSY_BEFORE:-}" --arg busy_flag "${BUSY_FLAG:-}" \
        --arg server_host "${SERVER_HOST:-}" --arg rtt "${PATH_RTT_US:-}" \
        --arg loopback "${PATH_LOOPBACK:-}" '
        def orNull: if . == "" then null else . end;
        def num: if . == "" or . == "unlimited" then orNull else tonumber end;
        def facts: split("\n") | map(select(length > 0) | capture("^(?<key>[^=]*)=(?<value>.*)$"))
                   | from_entries;
        # One host, from its facts.
        def host: {host: .host,
         cpu: {model: (.cpu | orNull), cpus_online: (.cpus | num),
               cpus_total: (.cpus_all | num), memory_kib: (.mem_kib | num)},
         kernel: .kernel,
         limits: {rlimit_nofile: {soft: (.nofile_soft | num), hard: (.nofile_hard | num)},
                  rlimit_nproc: {soft: (.nproc_soft | num), hard: (.nproc_hard | num)}},
         sysctl: {"net.core.somaxconn": (.somaxconn | num),
                  "net.ipv4.ip_local_port_range": (.port_range | orNull),
                  "net.ipv4.tcp_tw_reuse": (.tw_reuse | num),
                  "kernel.pid_max": (.pid_max | num),
                  "kernel.threads-max": (.threads_max | num)},
         transparent_hugepage: (.thp | orNull),
         cpufreq_governor: (.governor | orNull)};
        ($here | facts) as $h
        | {date: $date} + ($h | host | {host, cpu, kernel})
        + {compiler: {cc: ($cc | orNull), flags: ($flags | orNull)}}
        + ($h | host | {limits, sysctl, transparent_hugepage, cpufreq_governor})
        + {git: {commit: ($commit | orNull), dirty: $dirty},
         tools: {client_load: ($client | orNull), hyperfine: ($hyperfine | orNull),
                 gnuplot: ($gnuplot | orNull)},
         profile: ($profile | orNull), pinning: ($pinning | orNull),
         cpus: {server: ($server_cpus | orNull), client: ($client_cpus | orNull),
                client_threads: ($client_threads | num)},
         before_run: (if $busy == "" then null
                      else {busy_cpus: ($busy | tonumber), busy: ($busy_flag == "1"),
                            loadavg: $h.loadavg} end)}
        + (if $server == "" then {}
           else {server_host: $server_host, server_machine: ($server | facts | host)} end)
        + (if $rtt == "" then {}
           else {path: {loopback: ($loopback == "1"), idle_rtt_us: ($rtt | tonumber)}} end)'
}

main "$@"
