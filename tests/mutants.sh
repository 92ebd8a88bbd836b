#!/usr/bin/env bash
# mutants.sh [NAME...]: the suite's own test. Each mutant is a deliberate bug,
# applied alone to a scratch copy of this checkout (the real tree is never
# touched); the copy is built and the tests that should catch the bug are run
# (tests/run.sh with SERVERS and BATS_FILTER). Prints "caught" or "MISSED"
# for each, and exits 1 if any mutant survived, no longer applies (its
# pattern is gone: the code moved, so the mutant must be rewritten), or does
# not build. With NAMEs, only those mutants run.
set -euo pipefail
cd "$(dirname "$0")/.."

# The longest one mutant's tests may run; a mutant that makes them hang is
# a failure of the suite too (its waits are all bounded).
MUTANT_TIMEOUT_S=${MUTANT_TIMEOUT_S:-300}

# One line per mutant:
#   mutant NAME FILE SED-EXPRESSION SERVERS BATS-FILTER
# The sed expression must change FILE. SERVERS is the servers whose
# per-server suites run (tests/run.sh; "-" for the default, both); the
# filter picks the tests by name, in every suite. The unit tests always run.
mutants() {
    mutant children-not-reaped fork_server/fork_server.c \
        's/(pid = waitpid(-1, &status, WNOHANG)) > 0/(pid = 0) > 0/' \
        fork_server 'no zombie'
    mutant second-signal-kills-nothing fork_server/fork_server.c \
        's/kill(kids\[i\], SIGKILL);/(void)kids[i];/' \
        fork_server 'second signal'
    mutant idle-timeout-disabled common/conn.c \
        's/double deadline = idle > 0 ? clock_s() + idle : 0;/double deadline = 0;/' \
        thread_server 'idle-timeout'
    mutant missing-host-accepted common/proto.c \
        's/if (rl.minor == 1 && !f.host)/if (0)/' \
        thread_server 'malformed heads'
    mutant timeout-errors-not-counted client_load/conn.c \
        's/w->st.errors\[kind\]++;/w->st.errors[kind] += kind != ERR_TIMEOUT;/' \
        - 'timeout errors'
    mutant children-cpu-not-counted common/stats.c \
        's/tv_s(self.ru_utime) + tv_s(kids.ru_utime),/tv_s(self.ru_utime),/' \
        fork_server 'CPU in the accounting'
    mutant head-sends-body common/conn.c \
        's/req.method == HTTP_HEAD ? 0 : req.body_len/req.body_len/' \
        fork_server 'HEAD has no body'
    mutant accept-failure-spins common/server.c \
        '/log_burst(&s->accept_log/{n;s/s->backoff_until = t + BACKOFF_S;/(void)t;/}' \
        fork_server 'descriptor limit'
    mutant thread-never-ends thread_server/thread_server.c \
        's/atomic_fetch_sub(&active, 1)/atomic_load(\&active)/' \
        thread_server 'killed mid-request'
    mutant verdict-ratio-10pc-off bench/reportlib.py \
        's/r, lo, hi = times(said.ratio), /r, lo, hi = times(said.ratio * 1.1), /' \
        - "ratio of the runs' medians"
}

SCRATCH=
PRISTINE=
PHASE=run           # control: only collect the filters
declare -a RESULTS=() FILTERS=()
failures=0
only=()

note() { printf 'mutants: %s\n' "$*" >&2; }

# A copy of the checkout without git's files or any build, built once, so
# each mutant rebuilds only what its file touches.
make_scratch() {
    SCRATCH=$(mktemp -d /tmp/perconn-mutants.XXXXXX)
    PRISTINE=$SCRATCH/pristine
    mkdir "$SCRATCH/tree" "$PRISTINE"
    tar -C . --exclude=./.git --exclude=./bin --exclude=./build \
        --exclude=./results -cf - . | tar -C "$SCRATCH/tree" -xf -
    note "scratch copy in $SCRATCH/tree; building it"
    if ! make -C "$SCRATCH/tree" -s all test-programs >"$SCRATCH/build.log" 2>&1; then
        cat "$SCRATCH/build.log" >&2
        note "the unmutated tree does not build"
        exit 1
    fi
}

cleanup() { [ -z "$SCRATCH" ] || rm -rf "$SCRATCH"; }

wanted() {
    [ "${#only[@]}" -eq 0 ] && return 0
    local n
    for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

# record NAME VERDICT DETAIL: one line of the summary.
record() {
    RESULTS+=("$(printf '%-8s %-28s %s' "$2" "$1" "$3")")
    case $2 in caught) ;; *) failures=$((failures + 1)) ;; esac
    printf '%s\n' "${RESULTS[-1]}"
}

# mutant NAME FILE SED SERVERS FILTER: applies, builds, tests, restores.
mutant() {
    local name=$1 file=$2 expr=$3 servers=$4 filter=$5
    wanted "$name" || return 0
    if [ "$PHASE" = control ]; then
        FILTERS+=("$filter")
        return 0
    fi
    local tree=$SCRATCH/tree log=$SCRATCH/$name.log t0=$SECONDS
    if [ ! -f "$tree/$file" ]; then
        record "$name" BROKEN "$file does not exist: rewrite the mutant"
        return 0
    fi
    cp -p "$tree/$file" "$PRISTINE/${file//\//_}"
    sed -i -e "$expr" "$tree/$file"
    if cmp -s "$tree/$file" "$PRISTINE/${file//\//_}"; then
        record "$name" BROKEN "its pattern is gone from $file: rewrite the mutant"
        return 0
    fi
    local verdict detail
    if ! make -C "$tree" -s all test-programs >"$log" 2>&1; then
        verdict=BROKEN detail="does not build (see below)"
        cat "$log" >&2
    else
        local -a env=(BATS_FILTER="$filter")
        [ "$servers" = - ] || env+=(SERVERS="$servers")
        local rc=0
        env "${env[@]}" timeout "$MUTANT_TIMEOUT_S" "$tree/tests/run.sh" \
            >"$log" 2>&1 || rc=$?
        local summary
        summary=$(tail -n 1 "$log")
        if [ "$rc" -eq 124 ]; then
            verdict=HUNG detail="its tests ran over ${MUTANT_TIMEOUT_S} s"
        elif [ "$rc" -ne 0 ]; then
            verdict=caught detail="$summary"
        else
            verdict=MISSED detail="$summary (filter '$filter')"
        fi
    fi
    record "$name" "$verdict" "$detail, $((SECONDS - t0)) s"
    # Back to the unmutated file, newer than the objects built from the
    # mutant, so the next build recompiles it.
    cp "$PRISTINE/${file//\//_}" "$tree/$file"
    touch "$tree/$file"
}

# The same tests on the unmutated copy must pass, or "caught" means nothing:
# one run with every mutant's filter joined into one regex.
control() {
    PHASE=control
    mutants
    PHASE=run
    [ "${#FILTERS[@]}" -gt 0 ] || return 0
    local regex rc=0 t0=$SECONDS
    regex=$(IFS='|'; echo "${FILTERS[*]}")
    BATS_FILTER=$regex timeout "$MUTANT_TIMEOUT_S" "$SCRATCH/tree/tests/run.sh" \
        >"$SCRATCH/control.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        cat "$SCRATCH/control.log" >&2
        note "the unmutated tree fails the mutants' tests: fix that first"
        exit 1
    fi
    note "control: the unmutated tree passes them ($(tail -n 1 "$SCRATCH/control.log"), $((SECONDS - t0)) s)"
}

main() {
    only=("$@")
    trap cleanup EXIT
    make_scratch
    control
    mutants
    [ "${#RESULTS[@]}" -gt 0 ] || { note "no mutant named ${only[*]}"; exit 1; }
    echo "mutants: $((${#RESULTS[@]} - failures)) of ${#RESULTS[@]} caught"
    [ "$failures" -eq 0 ]
}

main "$@"
