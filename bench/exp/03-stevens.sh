# 03-stevens.sh: Stevens' job (UNP ch. 30: 5 clients x 1000 connections x
# 4000 bytes, size protocol), timed whole by hyperfine against one server per
# model. data/03-stevens-runs.csv: one row per model x hyperfine run;
# data/03-stevens.csv: one row per model, mean and standard deviation.
# shellcheck shell=bash

exp03_plan() {
    local m rate est
    for m in fork thread; do
        # A rough connections/s, only for the ETA (corrected as the run goes).
        rate=600
        [ "$m" = fork ] || rate=3000
        est=$(((STEVENS_RUNS + STEVENS_WARMUP) * STEVENS_CONNECTIONS * 1000 / rate + 300))
        plan_line "$est" "Stevens' job x $STEVENS_RUNS (hyperfine), ${m}_server" "$m"
    done
}

exp03_step() {
    local m=$1 prefix=$RUN/raw/03-stevens-$1
    local -a cmd=("${PIN_CLIENT[@]}" "$BIN/client_load" -P size -q
        -c "$STEVENS_CLIENTS" -n "$STEVENS_CONNECTIONS" -r 1 -s "$STEVENS_SIZE"
        --source "$SOURCE_RANGE" --csv "$prefix.client.csv" "127.0.0.1:PORT")
    rm -f "$prefix.client.csv"
    server_start "$prefix" "$m" size
    cmd[-1]=127.0.0.1:$PORT
    # -N: no shell between hyperfine and the client; -i: a failing run is
    # recorded (exit_codes) and flagged, not fatal.
    hyperfine -N -i --style basic --runs "$STEVENS_RUNS" --warmup "$STEVENS_WARMUP" \
        --command-name "${m}_server" --export-json "$prefix.hyperfine.json" \
        "${cmd[*]@Q}" >"$prefix.hyperfine.txt" 2>&1 ||
        die "hyperfine failed: see ${prefix#"$ROOT"/}.hyperfine.txt"
    server_stop
    exp03_rows "$m" "$prefix"
}

# exp03_errors CSV: client errors summed over every run in client_load's
# --csv file (its err_* columns, found by name).
exp03_errors() {
    [ -s "$1" ] || { echo 1; return; }
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^err_/) e[i] = 1; next }
             { for (i in e) n += $i } END { print n + 0 }' "$1"
}

exp03_rows() {
    local m=$1 prefix=$2 errors server='{}'
    errors=$(exp03_errors "$prefix.client.csv")
    [ -s "$prefix.server.json" ] && server=$(cat "$prefix.server.json")
    append_row "$RUN/data/03-stevens-runs.csv" model,run,time_s,exit_code "$(
        jq -r --arg m "$m" '.results[0] | [.times, .exit_codes] | transpose
            | to_entries[] | [$m, .key + 1, (.value[0] * 1e6 | round / 1e6), .value[1]]
            | @csv' "$prefix.hyperfine.json" | tr -d '"')"
    append_row "$RUN/data/03-stevens.csv" \
        model,clients,connections,size,runs,mean_s,stddev_s,median_s,min_s,max_s,us_per_conn,errors,flagged_runs,server_rc,server_accepted,server_cpu_us_per_conn "$(
        jq -r --arg m "$m" --argjson clients "$STEVENS_CLIENTS" \
            --argjson conns "$STEVENS_CONNECTIONS" --argjson size "$STEVENS_SIZE" \
            --argjson errors "$errors" --argjson src "$SRV_RC" --argjson s "$server" '
            def r3: . * 1000 | round / 1000;
            .results[0] as $h
            | [$m, $clients, $conns, $size, ($h.times | length), ($h.mean | r3),
               ($h.stddev // 0 | r3), ($h.median | r3), ($h.min | r3), ($h.max | r3),
               ($h.mean / $conns * 1e6 | round), $errors,
               ([$h.exit_codes[] | select(. != 0)] | length
                + (if $errors > 0 or $src != 0 then 1 else 0 end)),
               $src, ($s.accepted // ""),
               (if ($s.accepted // 0) > 0
                then (($s.cpu_user_s + $s.cpu_sys_s) / $s.accepted * 1e6 | round)
                else "" end)] | @csv' "$prefix.hyperfine.json" | tr -d '"')"
}

exp03_finish() {
    : # data/03-stevens*.csv are complete after the steps
}
