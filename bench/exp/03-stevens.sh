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
# ETA (corrected as the run goes), from guess_rate.
exp03_round_ms() {
    echo $(((STEVENS_RUNS + STEVENS_WARMUP) * STEVENS_CONNECTIONS * 1000 / $(guess_rate "$1") + 300))
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
            stevens_round 03-stevens "$m" "$m" "$round" "$STEVENS_RUNS"
        done
        [ $((round * STEVENS_RUNS)) -ge "$VERDICT_REPEATS" ] || continue
        ! repeat_more "$RUN/data/03-stevens-runs.csv" "" time_s "$round" "$start" || continue
        break
    done
    repeats_row 03-stevens job time_s "$round" "$start"
    # Now, not only at the finish: experiment 6 reads it.
    exp03_finish
}

exp03_finish() {
    python3 "$ROOT/bench/derive.py" 03 "$RUN/data"
}
