# 04-payload.sh: reply size. size protocol, a new connection per reply
# (-r 1) at PAYLOAD_CONCURRENCY, for each of PAYLOAD_SIZES: MB/s received.
# Shows the payload above which the spawn stops mattering. Verdicts at the
# smallest and largest reply.
# shellcheck shell=bash

exp04_metrics() {
    edge_metrics "$1" "$PAYLOAD_SIZES" mb_per_s mb_per_s
}

exp04_plan() {
    local s
    for s in $PAYLOAD_SIZES; do
        plan_pairs "$(exp04_metrics "$s")" "$REPEATS" "$DURATION" "payload ${s} B" "$s"
    done
}

exp04_step() {
    measure_pairs 04-payload size "$PAYLOAD_CONCURRENCY" "$1" 1 "$DURATION" "$REPEATS" \
        "$(exp04_metrics "$1")"
}

exp04_finish() {
    summarize 04-payload model,size mb_per_s,connections_per_s,request_p99_us
}
