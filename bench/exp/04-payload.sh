# 04-payload.sh: reply size. size protocol, a new connection per reply
# (-r 1) at PAYLOAD_CONCURRENCY, for each of PAYLOAD_SIZES: MB/s received.
# Shows the payload above which the spawn stops mattering.
# shellcheck shell=bash

exp04_plan() {
    local m s r
    for s in $PAYLOAD_SIZES; do
        for r in $(seq 1 "$REPEATS"); do
            for m in fork thread; do
                plan_line "$(point_ms "$DURATION")" \
                    "payload ${s} B, ${m}_server rep $r/$REPEATS" "$m $s $r"
            done
        done
    done
}

exp04_step() {
    measure_point 04-payload "$1" size "$PAYLOAD_CONCURRENCY" "$2" 1 "$3" "$DURATION"
}

exp04_finish() {
    summarize 04-payload model,size mb_per_s,connections_per_s,request_p99_us
}
