# 05-spectrum.sh: the whole latency distribution of short connections (-r 1,
# echo) at SPECTRUM_CONCURRENCY, from client_load's JSON spectrum of the
# connection phase; data/05-spectrum.csv has one row per model x repeat x
# percentile step (the 100th percentile, the max, is in 05-spectrum-runs.csv).
# shellcheck shell=bash

exp05_plan() {
    local m r
    for r in $(seq 1 "$REPEATS"); do
        for m in fork thread; do
            plan_line "$(point_ms "$SPECTRUM_DURATION")" \
                "latency spectrum, ${m}_server c=$SPECTRUM_CONCURRENCY rep $r/$REPEATS" "$m $r"
        done
    done
}

exp05_step() {
    measure_point 05-spectrum "$1" echo "$SPECTRUM_CONCURRENCY" "$SWEEP_SIZE" 1 \
        "$2" "$SPECTRUM_DURATION"
    local csv=$RUN/data/05-spectrum-points.csv
    [ -s "$csv" ] || echo "model,repeat,percentile,tail,value_us,flagged" >"$csv"
    [ -s "$POINT_PREFIX.client.json" ] || return 0
    # flagged: this run had client errors or a non-zero exit status.
    jq -r --arg m "$1" --argjson r "$2" --argjson rc $((CLIENT_RC + SRV_RC)) '
        (if .errors.total > 0 or $rc != 0 then 1 else 0 end) as $flagged
        | .latency_us.connection.spectrum[] | select(.percentile < 100)
        | [$m, $r, .percentile, (1 / (1 - .percentile / 100) * 1000 | round / 1000),
           .value_us, $flagged] | @csv' "$POINT_PREFIX.client.json" | tr -d '"' >>"$csv"
}

exp05_finish() {
    summarize 05-spectrum model,concurrency \
        connection_p50_us,connection_p90_us,connection_p99_us,connection_p99_9_us,connection_max_us
}
