# 09-openloop.sh: open loop, relative to each model's capacity. client_load
# -R RATE sends requests on a fixed schedule whatever the server does, and
# times each from its intended start, so a server that falls behind shows in
# the percentiles (no coordinated omission). Short connections (-r 1: every
# request pays the spawn, where the models differ), echo, SWEEP_SIZE bytes,
# up to OPENLOOP_CONCURRENCY in flight.
#
# The rates come from this machine, not from the profile: first each model's
# closed-loop capacity for the same workload (-c OPENLOOP_CAPACITY_CONCURRENCY
# per server CPU); then OPENLOOP_REPEATS rounds, each an unloaded run per
# model at OPENLOOP_UNLOADED_FRACTION of the faster model's capacity, long
# enough for OPENLOOP_UNLOADED_REQUESTS requests (a p99 from thousands of
# samples), then OPENLOOP_SHARED x the faster model's capacity and
# OPENLOOP_AROUND x each model's own (to place its knee), interleaved.
#   data/09-openloop-capacity-runs.csv, 09-openloop-capacity.csv  the capacity
#   data/09-openloop-runs.csv   RUN_COLUMNS + offered_rate, fraction, phase
#                               (unloaded|sweep), duration_s
#   data/09-openloop.csv        medians per model x offered rate
#   data/09-openloop-sustainable.csv, 09-openloop-knee.csv  (bench/derive.py)
# shellcheck shell=bash

exp09_capacity_conc() {
    echo $((OPENLOOP_CAPACITY_CONCURRENCY * $(server_cpu_count)))
}

exp09_plan() {
    local shared around
    read -r -a shared <<<"$OPENLOOP_SHARED"
    read -r -a around <<<"$OPENLOOP_AROUND"
    plan_line "$(pairs_ms "$REPEATS" "$DURATION")" \
        "open loop: each model's closed-loop capacity (-c $(exp09_capacity_conc))" capacity
    # The unloaded runs' length, roughly, from guess_rate.
    local unloaded_s
    unloaded_s=$(awk -v n="$OPENLOOP_UNLOADED_REQUESTS" -v f="$OPENLOOP_UNLOADED_FRACTION" \
        -v r="$(guess_rate thread)" 'BEGIN { printf "%.1f\n", n / (f * r) }')
    local r
    for r in $(seq 1 "$OPENLOOP_REPEATS"); do
        plan_line $(((${#shared[@]} + ${#around[@]}) * $(pairs_ms 1 "$OPENLOOP_DURATION")
            + $(pairs_ms 1 "$unloaded_s"))) \
            "open loop round $r/$OPENLOOP_REPEATS: unloaded, then rates around each model's capacity" \
            "round $r"
    done
}

exp09_step() {
    case $1 in
        capacity)
            measure_pairs 09-openloop-capacity echo "$(exp09_capacity_conc)" "$SWEEP_SIZE" 1 \
                "$DURATION" "$REPEATS" ""
            exp09_finish ;;
        round)
            exp09_unloaded "$2"
            exp09_round "$2" ;;
    esac
}

# exp09_capacity MODEL: the model's capacity, connections/s, from
# data/09-openloop-capacity.csv (bench/derive.py).
exp09_capacity() {
    awk -F, -v m="$1" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                       $h["model"] == m { print $h["capacity_per_s"] }' \
        "$RUN/data/09-openloop-capacity.csv"
}

# exp09_rates MODEL: "RATE FRACTION" lines, the rates offered to MODEL in a
# round: OPENLOOP_SHARED x the faster model's capacity, OPENLOOP_AROUND x
# its own; FRACTION is the rate over the faster model's capacity.
exp09_rates() {
    local own top
    own=$(exp09_capacity "$1")
    top=$(printf '%s\n' "$(exp09_capacity fork)" "$(exp09_capacity thread)" | sort -g | tail -n 1)
    awk -v own="$own" -v top="$top" -v shared="$OPENLOOP_SHARED" -v around="$OPENLOOP_AROUND" '
        BEGIN {
            n = split(shared, s, " "); for (i = 1; i <= n; i++) r[int(s[i] * top + 0.5)] = 1
            n = split(around, a, " "); for (i = 1; i <= n; i++) r[int(a[i] * own + 0.5)] = 1
            for (x in r) if (x > 0) printf "%d %.3f\n", x, x / top
        }' | sort -n
}

# shellcheck disable=SC2034  # POINT_* are read by measure_point (lib.sh)
exp09_point() {
    local m=$1 rate=$2 frac=$3 phase=$4 dur=$5 rep=$6
    POINT_TAG=R$rate
    POINT_COLS=offered_rate,fraction,phase,duration_s
    POINT_VALS=$rate,$frac,$phase,$dur
    measure_point 09-openloop "$m" echo "$OPENLOOP_CONCURRENCY" "$SWEEP_SIZE" 1 "$rep" "$dur" \
        -R "$rate"
}

# exp09_unloaded R: one long run per model at the unloaded rate.
exp09_unloaded() {
    local top rate dur m
    top=$(printf '%s\n' "$(exp09_capacity fork)" "$(exp09_capacity thread)" | sort -g | tail -n 1)
    rate=$(awk -v t="$top" -v f="$OPENLOOP_UNLOADED_FRACTION" 'BEGIN { r = int(t * f + 0.5); print (r > 0) ? r : 1 }')
    dur=$(awk -v r="$rate" -v n="$OPENLOOP_UNLOADED_REQUESTS" -v d="$OPENLOOP_DURATION" \
        'BEGIN { x = n / r; printf "%.2f\n", (x > d) ? x : d }')
    for m in $(pair_order "$1"); do
        exp09_point "$m" "$rate" "$OPENLOOP_UNLOADED_FRACTION" unloaded "$dur" "$1"
    done
}

# exp09_round R: every rate of both models once, ascending, the models'
# order alternating by round.
exp09_round() {
    local all rate frac m
    all=$( { exp09_rates fork; exp09_rates thread; } | sort -n -u)
    while read -r rate frac; do
        for m in $(pair_order "$1"); do
            exp09_rates "$m" | grep -q "^$rate " || continue
            exp09_point "$m" "$rate" "$frac" sweep "$OPENLOOP_DURATION" "$1"
        done
    done <<<"$all"
}

exp09_finish() {
    python3 "$ROOT/bench/derive.py" 09 "$RUN/data"
}
