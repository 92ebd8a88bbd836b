# 11-cores.sh: how each model uses more CPUs. The server gets 1, 2, 4, ...
# CPUs (taskset), the client the rest, as long as the client keeps at least
# as many as the server; with fewer than 4 CPUs the last point gives the
# server 2 and lets the client share them (marked: its numbers are the two
# programs' together). Short connections (-r 1) and persistent ones (-r 0),
# echo, SWEEP_SIZE bytes, CORES_CONCURRENCY_PER_CPU connections per server
# CPU. The verdicts are at the most server CPUs.
#   data/11-cores-runs.csv  RUN_COLUMNS + workload, server_cpus, server_cpu_list,
#                           client_cpu_list, shared
#   data/11-cores.csv       medians per model x workload x server CPUs
# shellcheck shell=bash

# exp11_splits: "K SERVER_LIST CLIENT_LIST SHARED" lines, one per point.
exp11_splits() {
    [ -z "$SERVER_HOST" ] || { exp11_remote_splits; return; }
    local -a cpus
    mapfile -t cpus < <(cpu_list)
    local n=${#cpus[@]} k=1
    if [ "$n" -lt 2 ]; then
        echo "1 ${cpus[0]} ${cpus[0]} 1"
        return
    fi
    while [ $((n - k)) -ge "$k" ]; do
        echo "$k $(IFS=,; echo "${cpus[*]:0:k}") $(IFS=,; echo "${cpus[*]:k}") 0"
        k=$((k * 2))
    done
    if [ "$n" -lt 4 ]; then
        echo "2 $(IFS=,; echo "${cpus[*]:0:2}") $(IFS=,; echo "${cpus[*]:0:2}") 1"
    fi
}

# exp11_remote_splits: with the server on its own host, 1, 2, 4, ... of its
# CPUs, and all of this machine's for the client.
exp11_remote_splits() {
    local -a theirs
    mapfile -t theirs < <(cpu_list on_server)
    local k=1 c
    c=$(cpu_list | paste -sd,)
    while [ "$k" -le "${#theirs[@]}" ]; do
        echo "$k $(IFS=,; echo "${theirs[*]:0:k}") $c 0"
        k=$((k * 2))
    done
}

exp11_plan() {
    local k s c shared w last
    last=$(exp11_splits | tail -n 1 | cut -d' ' -f1)
    while read -r k s c shared; do
        for w in short persistent; do
            plan_pairs "$([ "$k" != "$last" ] || echo verdict)" "$REPEATS" "$DURATION" \
                "cores: $w connections, server on CPU $s" "$w $k $s $c $shared"
        done
    done < <(exp11_splits)
}

# exp11_step WORKLOAD K SERVER_LIST CLIENT_LIST SHARED
# shellcheck disable=SC2034  # POINT_* are read by measure_pairs (lib.sh)
exp11_step() {
    local w=$1 k=$2 s=$3 c=$4 shared=$5 rpc=1 metric=connections_per_s last
    [ "$w" = short ] || rpc=0 metric=requests_per_s
    last=$(exp11_splits | tail -n 1 | cut -d' ' -f1)
    [ "$k" = "$last" ] || metric=
    local -a saved_server=("${PIN_SERVER[@]}") saved_client=("${PIN_CLIENT[@]}")
    local saved_threads=$CLIENT_THREADS
    local -a saved_cpus=("${BENCH_CPUS[@]}") saved_host_cpus=("${SERVER_HOST_CPUS[@]}")
    if command -v taskset >/dev/null; then
        PIN_SERVER=(taskset -c "$s")
        PIN_CLIENT=(taskset -c "$c")
    fi
    CLIENT_THREADS=$(expand_cpus "$c" | wc -l)
    if [ -n "$SERVER_HOST" ]; then
        mapfile -t BENCH_CPUS < <(expand_cpus "$c")
        mapfile -t SERVER_HOST_CPUS < <(expand_cpus "$s")
    else
        mapfile -t BENCH_CPUS < <({ expand_cpus "$s"; expand_cpus "$c"; } | sort -nu)
    fi
    POINT_TAG=$w-cpus$k$([ "$shared" = 0 ] || echo shared)
    POINT_COLS=workload,server_cpus,server_cpu_list,client_cpu_list,shared
    POINT_VALS=$w,$k,${s//,/ },${c//,/ },$shared
    measure_pairs 11-cores echo $((CORES_CONCURRENCY_PER_CPU * k)) "$SWEEP_SIZE" "$rpc" \
        "$DURATION" "$REPEATS" "$metric"
    PIN_SERVER=("${saved_server[@]}") PIN_CLIENT=("${saved_client[@]}")
    CLIENT_THREADS=$saved_threads BENCH_CPUS=("${saved_cpus[@]}")
    SERVER_HOST_CPUS=("${saved_host_cpus[@]}")
}

exp11_finish() {
    summarize 11-cores model,workload,server_cpus,shared \
        connections_per_s,requests_per_s,server_cpu_us_per_conn,client_cpu_share
}
