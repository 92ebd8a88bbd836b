# 03-stevens.sh: Stevens' job (UNP ch. 30: 5 clients x 1000 connections x
# 4000 bytes, size protocol), timed whole by hyperfine. In rounds: each round
# starts one server per model (fork then thread, then thread then fork, ...)
# and times STEVENS_RUNS runs of the job against it; rounds go on until the
# ratio of the median times is sure (as measure_pairs in lib.sh), and a
# round that other programs disturbed is run again.
#   data/03-stevens-rounds.csv  model,round,attempt,runs,errors,server_rc,
#                               server_accepted,server_cpu_s + the interference
#   data/03-stevens-runs.csv    one row per timed run (time_s, exit_code,
#                               disturbed: that of its round)
#   data/03-stevens.csv         per model over the usable runs (bench/derive.py)
# shellcheck shell=bash

# exp03_round_ms MODEL: a rough time of one round, only for the plan and the
# ETA (corrected as the run goes): 600 connections/s for fork, 3000 for thread.
exp03_round_ms() {
    local rate=600
    [ "$1" = fork ] || rate=3000
    echo $(((STEVENS_RUNS + STEVENS_WARMUP) * STEVENS_CONNECTIONS * 1000 / rate + 300))
}

exp03_min_rounds() {
    echo $(((VERDICT_REPEATS + STEVENS_RUNS - 1) / STEVENS_RUNS))
}

exp03_plan() {
    plan_verdict $(($(exp03_min_rounds) * ($(exp03_round_ms fork) + $(exp03_round_ms thread)))) \
        "Stevens' job (hyperfine), both servers, until the verdict is sure" go
}

exp03_step() {
    local round=0 m start
    start=$(now_ms)
    while :; do
        round=$((round + 1))
        for m in $(pair_order "$round"); do
            exp03_round "$m" "$round"
        done
        [ $((round * STEVENS_RUNS)) -ge "$VERDICT_REPEATS" ] || continue
        ! repeat_more "$RUN/data/03-stevens-runs.csv" "" time_s "$round" "$start" || continue
        break
    done
    repeats_row 03-stevens job time_s "$round" "$start"
    # Now, not only at the finish: experiment 6 reads it.
    exp03_finish
}

# exp03_round MODEL ROUND: one server, hyperfine times STEVENS_RUNS runs of
# the job against it; measured again (at most DISTURB_RETRIES times) when
# other programs disturbed it.
exp03_round() {
    local m=$1 round=$2 attempt=1 prefix
    while :; do
        prefix=$RUN/raw/03-stevens-$m-round$round
        [ "$attempt" -eq 1 ] || prefix+=-a$attempt
        local -a cmd=("${PIN_CLIENT[@]}" "$BIN/client_load" -P size -q -t "$CLIENT_THREADS"
            -c "$STEVENS_CLIENTS" -n "$STEVENS_CONNECTIONS" -r 1 -s "$STEVENS_SIZE"
            --source "$SOURCE_RANGE" --csv "$prefix.client.csv" "127.0.0.1:PORT")
        rm -f "$prefix.client.csv"
        server_start "$prefix" "$m" size
        cmd[-1]=127.0.0.1:$PORT
        children_cpu
        local cpu0=$CHILDREN_CPU_S
        window_begin
        # -N: no shell between hyperfine and the client; -i: a failing run is
        # recorded (exit_codes) and flagged, not fatal.
        hyperfine -N -i --style basic --runs "$STEVENS_RUNS" --warmup "$STEVENS_WARMUP" \
            --command-name "${m}_server" --export-json "$prefix.hyperfine.json" \
            "${cmd[*]@Q}" >"$prefix.hyperfine.txt" 2>&1 ||
            die "hyperfine failed: see ${prefix#"$ROOT"/}.hyperfine.txt"
        window_end
        children_cpu
        server_stop
        # The client's CPU: hyperfine's and its clients' (this shell's children).
        window_row "$(json_cpu "$prefix.server.json" .)" \
            "$(awk -v a="$cpu0" -v b="$CHILDREN_CPU_S" 'BEGIN { print b - a }')"
        exp03_rows "$m" "$round" "$attempt" "$prefix"
        measure_again "$attempt" "${prefix##*/}" || break
        attempt=$((attempt + 1))
    done
}

# exp03_errors CSV: client errors summed over every run in client_load's
# --csv file (its err_* columns, found by name).
exp03_errors() {
    [ -s "$1" ] || { echo 1; return; }
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^err_/) e[i] = 1; next }
             { for (i in e) n += $i } END { print n + 0 }' "$1"
}

exp03_rows() {
    local m=$1 round=$2 attempt=$3 prefix=$4 errors server='{}' disturbed
    errors=$(exp03_errors "$prefix.client.csv")
    disturbed=$(cut -d, -f6 <<<"$WIN_ROW")
    [ -s "$prefix.server.json" ] && server=$(cat "$prefix.server.json")
    append_row "$RUN/data/03-stevens-runs.csv" model,round,attempt,run,time_s,exit_code,disturbed "$(
        jq -r --arg m "$m" --argjson round "$round" --argjson a "$attempt" --argjson d "$disturbed" '
            .results[0] | [.times, .exit_codes] | transpose | to_entries[]
            | [$m, $round, $a, .key + 1, (.value[0] * 1e6 | round / 1e6), .value[1], $d]
            | @csv' "$prefix.hyperfine.json" | tr -d '"')"
    append_row "$RUN/data/03-stevens-rounds.csv" \
        "model,round,attempt,runs,errors,server_rc,server_accepted,server_cpu_s,$WIN_COLUMNS" \
        "$(jq -r --arg m "$m" --argjson round "$round" --argjson a "$attempt" \
            --argjson errors "$errors" --argjson src "$SRV_RC" --argjson s "$server" '
            [$m, $round, $a, (.results[0].times | length), $errors, $src, ($s.accepted // ""),
             (if $s.accepted then ($s.cpu_user_s + $s.cpu_sys_s) * 1e6 | round / 1e6
              else "" end)] | @csv' "$prefix.hyperfine.json" | tr -d '"'),$WIN_ROW"
}

exp03_finish() {
    python3 "$ROOT/bench/derive.py" 03 "$RUN/data"
}
