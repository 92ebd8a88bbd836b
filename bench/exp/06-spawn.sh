# 06-spawn.sh: the spawn primitive alone beside the whole server. bin/spawn_cost
# (pinned like the server) times fork+_exit+waitpid and pthread_create+join
# per call in interleaved rounds at each of SPAWN_BALLAST parent sizes (the
# verdict's interval comes from the rounds at the smallest); each server's CPU per
# connection for Stevens' job comes from experiment 3's data when it ran in
# this run, else from a short Stevens job (SPAWN_STEVENS_CONNECTIONS) here.
#   data/06-spawn-rounds.csv     model,ballast_mb,calls,round,us,attempt,disturbed
#   data/06-spawn-primitive.csv  model,ballast_mb,calls,rounds,us_median,us_min,us_max
#                                (over the usable rounds: bench/derive.py)
#   data/06-spawn-server.csv     model,source,connections,server_accepted,
#                                server_cpu_us_per_conn,errors,flagged_runs
#   data/06-spawn.csv            one bar of the figure per row (see exp06_finish)
# shellcheck shell=bash

exp06_plan() {
    local m est
    est=$(awk -v n="$SPAWN_CALLS" -v r="$SPAWN_ROUNDS" -v b="$SPAWN_BALLAST" \
        'BEGIN { k = split(b, s, " "); t = 0
                 for (i = 1; i <= k; i++) t += 0.4 * s[i] + n * (r + 1) * (2.5 + s[i] / 25)
                 printf "%d\n", t + 300 }')
    plan_line "$est" "spawn primitive alone (spawn_cost, ballast ${SPAWN_BALLAST// /,} MiB)" primitive
    for m in fork thread; do
        if experiments | grep -qx 03; then
            plan_line 50 "server CPU per connection, ${m}_server (from experiment 3)" "server $m"
        else
            est=$((SPAWN_STEVENS_CONNECTIONS * 1000 / 400 + 500))
            plan_line "$est" "server CPU per connection, ${m}_server (short Stevens job)" "server $m"
        fi
    done
}

exp06_step() {
    case $1 in
        primitive) exp06_primitive ;;
        server) exp06_server "$2" ;;
    esac
}

exp06_primitive() {
    local raw=$RUN/raw/06-spawn.spawn_cost attempt=1
    [ -x "$BIN/spawn_cost" ] || die "no $BIN/spawn_cost: build first (make all)"
    while :; do
        window_begin
        server_timed "${PIN_SERVER[@]}" "$SROOT/bin/spawn_cost" -n "$SPAWN_CALLS" \
            -r "$SPAWN_ROUNDS" -b "${SPAWN_BALLAST// /,}" >"$raw.csv" 2>"$raw.err" ||
            die "spawn_cost failed: see ${raw#"$ROOT"/}.err"
        window_end
        # spawn_cost is the one program measured: its CPU stands for the server's.
        window_row "$TIMED_CPU_S" 0
        # The primitive column is the model: fork -> fork_server's, thread -> thread_server's.
        awk -F, -v OFS=, -v a="$attempt" -v d="$WIN_DISTURBED" -v csv="$RUN/data/06-spawn-rounds.csv" '
            NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i
                      if (a == 1) print "model,ballast_mb,calls,round,us,attempt,disturbed" >csv
                      next }
            { print $h["primitive"], $h["ballast_mb"], $h["calls"], $h["round"],
                    $h["us_per_call"], a, d >>csv }' "$raw.csv"
        measure_again "$attempt" spawn_cost || break
        mv "$raw.csv" "$raw-a$attempt.csv"
        attempt=$((attempt + 1))
    done
}

# exp06_server MODEL: the row of data/06-spawn-server.csv, from experiment 3's
# summary when this run has it, else from one Stevens job of our own.
exp06_server() {
    local m=$1 csv=$RUN/data/06-spawn-server.csv
    local header=model,source,connections,server_accepted,server_cpu_us_per_conn,errors,flagged_runs
    local s3=$RUN/data/03-stevens.csv
    if [ -s "$s3" ] && grep -q "^$m," "$s3"; then
        append_row "$csv" "$header" "$(awk -F, -v OFS=, -v m="$m" '
            NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
            $h["model"] == m { print m, "experiment 3", $h["connections"],
                                     $h["server_accepted"], $h["server_cpu_us_per_conn"],
                                     $h["errors"], $h["flagged_runs"] }' "$s3")"
        return
    fi
    local prefix=$RUN/raw/06-spawn-$m
    server_start "$prefix" "$m" size
    run_client "$prefix" size -c "$STEVENS_CLIENTS" -n "$SPAWN_STEVENS_CONNECTIONS" -r 1 \
        -s "$STEVENS_SIZE" "${SOURCE_ARGS[@]}"
    server_stop
    local server='{}' flagged=0 errors=1
    [ -s "$prefix.server.json" ] && server=$(cat "$prefix.server.json")
    [ -s "$prefix.client.json" ] && errors=$(jq '.errors.total' "$prefix.client.json")
    [ "$errors" -eq 0 ] && [ "$CLIENT_RC" -eq 0 ] && [ "$SRV_RC" -eq 0 ] || flagged=1
    append_row "$csv" "$header" "$(jq -r --arg m "$m" --argjson n "$SPAWN_STEVENS_CONNECTIONS" \
        --argjson e "$errors" --argjson f "$flagged" '
        [$m, "own Stevens job", $n, (.accepted // ""),
         (if (.accepted // 0) > 0
          then ((.cpu_user_s + .cpu_sys_s) / .accepted * 1e6 | round) else "" end),
         $e, $f] | @csv' <<<"$server" | tr -d '"')"
}

exp06_finish() {
    python3 "$ROOT/bench/derive.py" 06 "$RUN/data"
}
