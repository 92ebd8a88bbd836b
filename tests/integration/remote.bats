#!/usr/bin/env bats
# remote.bats: `make bench SERVER_HOST=...` end to end without a second
# machine: tests/helpers/two_hosts.sh makes two network namespaces joined by
# a veth pair, runs sshd in the server's, and runs the tiny profile from the
# client's with the servers started over ssh in the other. Needs root (ip
# netns); skips, saying so, where namespaces cannot be made.

ROOT=$BATS_TEST_DIRNAME/../..
SRV_ADDR=198.18.0.2

setup_file() {
    export T=$BATS_FILE_TMPDIR
    # The same build flags as the suite's own build, so make rebuilds nothing.
    local rc=0
    "$ROOT/tests/helpers/two_hosts.sh" "$T" env RESULTS_DIR="$T/results" \
        make -C "$ROOT" --no-print-directory bench PROFILE=tiny \
        ${SANITIZE:+SANITIZE=$SANITIZE} ${WERROR:+WERROR=$WERROR} >"$T/run.out" 2>&1 || rc=$?
    [ "$rc" -ne 77 ] || return 0
    [ "$rc" -eq 0 ] || { tail -n 30 "$T/run.out" >&3; return 1; }
    readlink -f "$T/results/latest" >"$T/run_dir"
}

setup() {
    [ ! -s "$T/skip" ] || skip "$(cat "$T/skip")"
    RUN=$(cat "$T/run_dir")
}

@test "every experiment's data has both models, measured across the two hosts" {
    local csv n=0
    for csv in "$RUN"/data/[0-9][0-9]-*.csv; do
        head -n 1 "$csv" | tr , '\n' | grep -qx model || continue
        n=$((n + 1))
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "model") c = i; next }
                 { print $c }' "$csv" | sort -u | tr '\n' ' ' | grep -qx 'fork thread ' ||
            { echo "$csv: not both models"; return 1; }
    done
    [ "$n" -ge 12 ]
    [ "$(grep -c '^## [0-9]*\. ' "$RUN/report.md")" -eq 12 ]
}

@test "every server ran in the server's namespace, under the pid its listening line gave" {
    local want where n=0
    want=$(cat "$T/srv_netns")
    [ -n "$want" ] && [ "$want" != "$(readlink /proc/self/ns/net)" ]
    for where in "$RUN"/raw/*.where; do
        n=$((n + 1))
        grep -qF " netns=$want" "$where" || { echo "$where: $(cat "$where")"; return 1; }
        # The pid of the shell that exec'd the server there is the pid the
        # server's own accounting gives.
        [ "$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' "$where")" = \
            "$(jq .pid "${where%.where}.server.json")" ] || { echo "$where: another pid"; return 1; }
    done
    # One per server started: each raw/*.server.json has its .where.
    [ "$n" -gt 20 ]
    [ "$n" -eq "$(find "$RUN/raw" -name '*.server.json' | wc -l)" ]
}

@test "the client dialled the server's address, not loopback" {
    local json
    for json in "$RUN"/raw/01-*.client.json; do
        [ "$(jq -r .config.host "$json")" = "$SRV_ADDR" ] || { echo "$json"; return 1; }
    done
}

@test "machine.json describes both machines and the path between them" {
    jq -e --arg srv "$SRV_ADDR" '
        .server_host == "perconn-server" and (.server_machine.cpu.cpus_online > 0)
        and (.server_machine.kernel | length > 0)
        and (.server_machine.sysctl["net.ipv4.tcp_tw_reuse"] != null)
        and .path.loopback == false and (.path.idle_rtt_us > 0)' "$RUN/machine.json"
    grep -q '^## Machine' "$RUN/report.md"
    grep -q 'server.s host' "$RUN/report.md"
}

@test "the ports' limit was checked before the short connections" {
    grep -q 'net.ipv4.ip_local_port_range' "$T/run.out"
    grep -q 'TIME_WAIT' "$T/run.out"
}

@test "nothing is left behind on either side" {
    # No process of the run in either namespace (sshd aside), and no folder
    # of the server's side in /tmp.
    [ ! -s "$T/srv_left" ] || { echo "left in the server's namespace: $(cat "$T/srv_left")"; return 1; }
    [ ! -s "$T/cli_left" ] || { echo "left in the client's namespace: $(cat "$T/cli_left")"; return 1; }
    [ -z "$(find /tmp -maxdepth 1 -name 'perconn-server.*' -newer "$T/sshd_config")" ]
}

@test "Ctrl-C mid-run stops the server there and removes the folder there" {
    local dir=$BATS_TEST_TMPDIR/hosts
    # In the client's namespace: the bench in a process group of its own,
    # interrupted as a terminal's Ctrl-C would (SIGINT to the whole group)
    # once the first point's server has come and gone (its .where file is
    # fetched when it stops; the next one is then starting or running: a
    # point is mostly a running server); then what is left on the server's
    # host, asked over ssh.
    # shellcheck disable=SC2016  # expanded by the inner bash
    "$ROOT/tests/helpers/two_hosts.sh" "$dir" env RESULTS_DIR="$BATS_TEST_TMPDIR/results" \
        EXPERIMENTS=1 bash -c '
        # Job control: the bench gets a process group of its own and, unlike
        # a background job of a script without it, does not ignore SIGINT.
        set -m
        "$0/bench/run.sh" tiny >"$1/interrupted.out" 2>&1 &
        pid=$!
        for ((i = 0; i < 3000; i++)); do
            compgen -G "$1/results/*/raw/*.where" >/dev/null && break
            sleep 0.01
        done
        kill -INT -- "-$pid"
        wait "$pid"
        echo "rc=$?"
        ssh -F "$SSH_CONFIG" "$SERVER_HOST" "ls -d /tmp/perconn-server.* 2>/dev/null" || true
    ' "$ROOT" "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    # (stderr: the shell's job notice and ssh's words, shown on failure only)
    cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err"
    grep -qx 'rc=130' "$BATS_TEST_TMPDIR/out"
    # Nothing but rc= was printed: no folder on the other side; and no
    # process (a server) left in either namespace.
    [ "$(grep -vc '^rc=' "$BATS_TEST_TMPDIR/out")" -eq 0 ]
    [ ! -s "$dir/srv_left" ] && [ ! -s "$dir/cli_left" ]
}
