#!/usr/bin/env bash
# run.sh PROFILE | --replot RUN_DIR: the perconn benchmark (make bench).
#
#   bench/run.sh quick|full|tiny    run the experiments of bench/profiles/PROFILE.conf
#   bench/run.sh --replot RUN_DIR   redo summaries, plots, report.md and report.html
#                                   from a run folder's raw/ and data/, without measuring
#   bench/run.sh --compare A B      do two runs' verdicts agree? (bench/compare.py);
#                                   the table also goes to B/compare.md and .csv
#
# Environment: EXPERIMENTS=1,3 runs only those experiments; RESULTS_DIR
# (default results/) is where run folders go; SERVER_HOST=DEST runs the
# servers on another host over ssh (SERVER_ADDR, SSH_CONFIG, CLIENT_SOURCES:
# bench/remote.sh). Every experiment is a set of
# files sharing its number: bench/exp/NN-name.sh (its steps and data),
# bench/plots/NN-*.gp (its figures), bench/sections/NN-name.py (its section of
# report.md). The last line, on stdout, is the path of the run's report.html,
# the report as a page for a browser. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RESULTS_DIR=${RESULTS_DIR:-$ROOT/results}
RUN=
TMPD=
BENCH_START_MS=0
STEP_BUDGET_MS=0

usage() {
    echo "usage: bench/run.sh quick|full|tiny | --replot RUN_DIR | --compare RUN_A RUN_B" >&2
    exit 2
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    server_kill
    remote_cleanup
    [ -z "$TMPD" ] || rm -rf "$TMPD"
}

# plan_line EST_MS WHAT ARGS: one step of an experiment's plan (for expNN_plan).
plan_line() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }

# plan_verdict EST_MS WHAT ARGS: a step that may repeat until its verdict's
# interval is narrow enough (measure_pairs): EST_MS is its least time, and
# run_plan gives it a share of the profile's TIME_BUDGET beyond that.
plan_verdict() { printf 'v%s\t%s\t%s\n' "$1" "$2" "$3"; }

# point_ms DURATION: the expected milliseconds of one measure_point.
point_ms() { awk -v w="$WARMUP" -v d="$1" 'BEGIN { printf "%d\n", (w + d) * 1000 + 300 }'; }

# pairs_ms PAIRS DURATION: the expected milliseconds of PAIRS interleaved
# fork/thread pairs of measure_point.
pairs_ms() { echo $(($1 * 2 * $(point_ms "$2"))); }

# edge_metrics VALUE LIST FIRST LAST: the verdict metrics of a sweep's point:
# FIRST at LIST's first value, LAST at its last (both when it is both), ""
# between. The report sections state their verdicts at the same points.
edge_metrics() {
    local -a list
    read -r -a list <<<"$2"
    local out=()
    [ "$1" != "${list[0]}" ] || out+=("$3")
    [ "$1" != "${list[-1]}" ] || out+=("$4")
    local IFS=,
    # Each metric once, in order.
    echo "${out[*]}" | tr , '\n' | awk 'NF && !seen[$0]++' | paste -sd, -
}

# plan_pairs METRICS MIN DURATION WHAT ARGS: the plan line of a point run by
# measure_pairs: a verdict step (at least VERDICT_REPEATS pairs) when the
# point has verdict METRICS, else MIN pairs.
plan_pairs() {
    if [ -n "$1" ]; then
        plan_verdict "$(pairs_ms "$VERDICT_REPEATS" "$3")" \
            "$4, both servers, until the verdict is sure" "$5"
    else
        plan_line "$(pairs_ms "$2" "$3")" "$4, both servers x $2" "$5"
    fi
}

# EPOCHREALTIME is seconds.microseconds (the separator follows the locale).
now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((10#$t / 1000)); }

mmss() { printf '%02d:%02d' $(($1 / 60)) $(($1 % 60)); }

# experiments: the NN of each bench/exp/NN-*.sh, filtered by EXPERIMENTS.
experiments() {
    local f nn want=",${EXPERIMENTS:-},"
    for f in "$ROOT"/bench/exp/[0-9][0-9]-*.sh; do
        nn=${f##*/}
        nn=${nn%%-*}
        if [ -z "${EXPERIMENTS:-}" ] || [[ $want == *",$nn,"* || $want == *",$((10#$nn)),"* ]]; then
            echo "$nn"
        fi
    done
}

load_experiments() {
    local nn
    for nn in "$@"; do
        # shellcheck source=/dev/null
        source "$(echo "$ROOT"/bench/exp/"$nn"-*.sh)"
    done
}

new_run_dir() {
    local name
    name=$(date -u +%Y%m%dT%H%M%SZ)-$(hostname -s)
    RUN=$RESULTS_DIR/$name
    while [ -e "$RUN" ]; do
        RUN=$RUN.1
    done
    mkdir -p "$RUN"/{raw,data,plots}
}

# run_plan NN...: every step of every experiment, one progress line each on
# stderr. What TIME_BUDGET leaves beyond the least time of all the steps is
# shared among the verdict steps (plan_verdict) in proportion to their least
# times: a step's STEP_BUDGET_MS. The ETA counts each verdict step at its
# budget and scales the rest by how far off the finished estimates were.
run_plan() {
    local plan=$TMPD/plan nn
    : >"$plan"
    for nn in "$@"; do
        "exp${nn}_plan" | sed "s/^/$nn\t/" >>"$plan"
    done
    local n least=0 verdict_least=0 est
    n=$(wc -l <"$plan")
    while IFS=$'\t' read -r _ est _ _; do
        least=$((least + ${est#v}))
        [ "${est#v}" = "$est" ] || verdict_least=$((verdict_least + ${est#v}))
    done <"$plan"
    local spare=$((TIME_BUDGET * 1000 - least))
    [ "$spare" -gt 0 ] || spare=0
    # budget_of EST: a step's budget in ms (its estimate unless a verdict step).
    budget_of() {
        local e=${1#v}
        if [ "$e" = "$1" ] || [ "$verdict_least" -eq 0 ]; then echo "$e"; else
            echo $((e + spare * e / verdict_least)); fi
    }
    local total_est=0
    while IFS=$'\t' read -r _ est _ _; do
        total_est=$((total_est + $(budget_of "$est")))
    done <"$plan"
    local k=0 done_est=0 eta what args elapsed
    local -a argv
    BENCH_START_MS=$(now_ms)
    while IFS=$'\t' read -r nn est what args; do
        k=$((k + 1))
        elapsed=$(($(now_ms) - BENCH_START_MS))
        if [ "$done_est" -gt 0 ]; then
            eta=$(((total_est - done_est) * elapsed / done_est / 1000))
        else
            eta=$((total_est / 1000))
        fi
        printf '[%d/%d] %s: %s … ETA %s\n' "$k" "$n" "$nn" "$what" "$(mmss "$eta")" >&2
        read -r -a argv <<<"$args"
        STEP_BUDGET_MS=$(budget_of "$est")
        "exp${nn}_step" "${argv[@]}" <&3
        done_est=$((done_est + STEP_BUDGET_MS))
    done 3<&0 <"$plan"
    echo "bench: measured in $(mmss $((($(now_ms) - BENCH_START_MS) / 1000)))" >&2
}

# finish NN...: summaries, figures, report.md and report.html from the run's data.
finish() {
    local nn gp
    for nn in "$@"; do
        "exp${nn}_finish"
    done
    for nn in "$@"; do
        for gp in "$ROOT"/bench/plots/"$nn"-*.gp; do
            [ -e "$gp" ] || continue
            plot "$gp"
        done
    done
    python3 "$ROOT/bench/report.py" "$RUN"
}

# plot SCRIPT: one figure, as plots/NAME.png and plots/NAME.svg.
plot() {
    local name
    name=$(basename "$1" .gp)
    if ! gnuplot -e "data='$RUN/data/'; out='$RUN/plots/$name'; lib='$ROOT/bench/plots/'" \
        "$1" 2>"$TMPD/gnuplot.err"; then
        cat "$TMPD/gnuplot.err" >&2
        die "gnuplot failed on ${1#"$ROOT"/}"
    fi
    # Warnings (e.g. an experiment with no flagged point) are kept, not shown.
    [ ! -s "$TMPD/gnuplot.err" ] || cp "$TMPD/gnuplot.err" "$RUN/plots/$name.log"
}

replot() {
    RUN=$(cd "$1" && pwd -P)
    [ -f "$RUN/profile.conf" ] || die "$1: not a run folder (no profile.conf)"
    # shellcheck source=/dev/null
    source "$RUN/profile.conf"
    local -a present=() all
    local nn
    mapfile -t all < <(experiments)
    for nn in "${all[@]}"; do
        compgen -G "$RUN/data/$nn-*.csv" >/dev/null && present+=("$nn")
    done
    [ "${#present[@]}" -gt 0 ] || die "$1: no data"
    load_experiments "${present[@]}"
    finish "${present[@]}"
    echo "bench: replotted $RUN" >&2
    page_path
}

# page_path: the run's report.html, relative to the current directory when it
# is below it: the bench's last line, on stdout (xdg-open "$(make bench | tail -n 1)").
page_path() {
    local page=$RUN/report.html
    case $page in "$PWD"/*) page=${page#"$PWD"/} ;; esac
    echo "$page"
}

# profile_as_run CONF: CONF with every VAR=... line replaced by the value the
# variable has now (a profile may take some from the environment).
profile_as_run() {
    local line name
    while IFS= read -r line; do
        if [[ $line =~ ^([A-Z_][A-Z0-9_]*)= ]]; then
            name=${BASH_REMATCH[1]}
            printf '%s="%s"\n' "$name" "${!name}"
        else
            printf '%s\n' "$line"
        fi
    done <"$1"
}

measure() {
    local profile=$1 conf=$ROOT/bench/profiles/$1.conf
    [ -f "$conf" ] || usage
    # shellcheck source=/dev/null
    source "$conf"
    local b
    for b in client_load fork_server thread_server; do
        [ -x "$BIN/$b" ] || die "no $BIN/$b: build first (make all)"
    done
    local -a exps
    mapfile -t exps < <(experiments)
    [ "${#exps[@]}" -gt 0 ] || die "EXPERIMENTS=${EXPERIMENTS:-} matches no bench/exp/NN-*.sh"
    remote_setup
    pin_setup
    busy_before
    path_setup
    ports_setup
    new_run_dir
    { profile_as_run "$conf"; printf 'PROFILE=%s\nRUN_EXPERIMENTS="%s"\n' "$profile" "${exps[*]}"; } \
        >"$RUN/profile.conf"
    local facts=
    if [ -n "$SERVER_HOST" ]; then
        facts=$TMPD/server.facts
        # shellcheck disable=SC2153  # SROOT: bench/remote.sh
        on_server "$SROOT/bench/machine.sh" --facts >"$facts" ||
            die "SERVER_HOST=$SERVER_HOST: machine.sh --facts failed there"
    fi
    PROFILE=$profile SERVER_FACTS=$facts "$ROOT/bench/machine.sh" >"$RUN/machine.json"
    echo "bench: profile $profile, experiments ${exps[*]}, into ${RUN#"$ROOT"/}" >&2
    load_experiments "${exps[@]}"
    run_plan "${exps[@]}"
    finish "${exps[@]}"
    ln -sfn "$(basename "$RUN")" "$RESULTS_DIR/latest"
    echo "bench: report in ${RUN#"$ROOT"/}/report.md and, as a page, report.html (results/latest)" >&2
    page_path
}

main() {
    [ $# -ge 1 ] || usage
    # shellcheck source=bench/lib.sh
    source "$ROOT/bench/lib.sh"
    TMPD=$(mktemp -d)
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    case $1 in
        --replot) [ $# -eq 2 ] || usage; replot "$2" ;;
        --compare)
            [ $# -eq 3 ] || usage
            python3 "$ROOT/bench/compare.py" "$2" "$3" "$3/compare" ;;
        tiny | quick | full) [ $# -eq 1 ] || usage; measure "$1" ;;
        *) usage ;;
    esac
}

main "$@"
