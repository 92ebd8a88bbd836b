# remote.sh: the server on its own host (make bench SERVER_HOST=DEST).
# Sourced by bench/lib.sh. Without SERVER_HOST every function here runs its
# command on this machine and nothing changes.
#
# With it, DEST is anything ssh accepts (user@host, an alias of
# ~/.ssh/config; SSH_CONFIG names another config file). remote_setup logs in
# once with a key (BatchMode: never a password prompt) and keeps that
# connection as a master that every later command shares (ControlMaster:
# a command costs a round trip, not a handshake), checks that DEST has this
# machine's architecture and clock tick, and copies what runs there to a
# fresh temporary folder (mktemp -d): the servers, spawn_cost, and the
# samplers memsample.sh, cpusnap.sh and machine.sh. The server of each point
# is started over ssh, pinned with taskset on DEST; its listening line comes
# back on ssh's stdout, its --stats JSON is fetched once it has exited, and
# it is stopped by its pid there. remote_cleanup (the EXIT trap, also after
# Ctrl-C) removes the folder and closes the master.
# shellcheck shell=bash
# Variables set here are read by lib.sh; ROOT is lib.sh's.
# shellcheck disable=SC2034,SC2153

SERVER_HOST=${SERVER_HOST:-}
SERVER_ADDR=${SERVER_ADDR:-}
SSH_CONFIG=${SSH_CONFIG:-}
# TARGET: the address client_load dials. SROOT: where bin/ and bench/ are
# on the server's host (this checkout without SERVER_HOST).
TARGET=127.0.0.1
SROOT=$ROOT
SERVER_LISTEN=()
SERVER_HOST_CPUS=()
SSH_CTL=
SSH_CFG=()
REMOTE_DIR=
# What remote_setup copies to the server's host.
REMOTE_FILES=(bin/fork_server bin/thread_server bin/spawn_cost
              bench/memsample.sh bench/cpusnap.sh bench/machine.sh)

# ssh_srv ARGS...: ssh to SERVER_HOST over the run's master connection.
ssh_srv() {
    ssh "${SSH_CFG[@]}" -o BatchMode=yes -o ControlPath="$SSH_CTL" "$SERVER_HOST" "$@"
}

# on_server CMD [ARGS...]: CMD on the server's host: here, or through ssh
# with every word quoted for the remote shell. Its stdin, stdout, stderr and
# exit status are CMD's.
on_server() {
    if [ -z "$SERVER_HOST" ]; then
        "$@"
    else
        ssh_srv "${*@Q}"
    fi
}

# remote_setup: with SERVER_HOST, the checks and the copy described above;
# sets SROOT, TARGET (SERVER_ADDR, else the host name ssh resolves DEST to)
# and SERVER_LISTEN (the servers listen on every address there).
remote_setup() {
    [ -n "$SERVER_HOST" ] || return 0
    command -v ssh >/dev/null || die "SERVER_HOST needs ssh (apt-get install openssh-client)"
    SSH_CTL=$TMPD/ssh-master
    [ -z "$SSH_CONFIG" ] || SSH_CFG=(-F "$SSH_CONFIG")
    # setsid: the master is not in this terminal's process group, so a
    # Ctrl-C leaves it up for the cleanup that follows.
    setsid ssh "${SSH_CFG[@]}" -o BatchMode=yes -o ConnectTimeout=10 -o ControlMaster=yes \
        -o ControlPath="$SSH_CTL" -o ControlPersist=yes -fNT "$SERVER_HOST" \
        </dev/null 2>"$TMPD/ssh.err" ||
        die "SERVER_HOST=$SERVER_HOST: cannot log in with a key (ssh -o BatchMode=yes):" \
            "$(tail -n 1 "$TMPD/ssh.err")"
    local arch tick
    arch=$(ssh_srv uname -m) || die "SERVER_HOST=$SERVER_HOST: uname -m failed there"
    [ "$arch" = "$(uname -m)" ] ||
        die "SERVER_HOST=$SERVER_HOST is $arch, this machine $(uname -m): the programs built here cannot run there"
    tick=$(ssh_srv getconf CLK_TCK)
    [ "$tick" = "$CLK_TCK" ] ||
        die "SERVER_HOST=$SERVER_HOST counts $tick clock ticks a second, this machine $CLK_TCK"
    local f
    for f in "${REMOTE_FILES[@]}"; do
        [ -e "$ROOT/$f" ] || die "no $f: build first (make all)"
    done
    # shellcheck disable=SC2016  # expanded by the server's shell
    REMOTE_DIR=$(ssh_srv 'd=$(mktemp -d /tmp/perconn-server.XXXXXX) && mkdir "$d/stats" && echo "$d"') ||
        die "SERVER_HOST=$SERVER_HOST: mktemp -d failed there"
    tar -C "$ROOT" -cf - "${REMOTE_FILES[@]}" | ssh_srv "tar -C ${REMOTE_DIR@Q} -xf -" ||
        die "SERVER_HOST=$SERVER_HOST: copying the programs to $REMOTE_DIR failed"
    SROOT=$REMOTE_DIR
    TARGET=${SERVER_ADDR:-$(ssh "${SSH_CFG[@]}" -G "$SERVER_HOST" | awk '$1 == "hostname" { print $2; exit }')}
    SERVER_LISTEN=(-H 0.0.0.0)
    [[ $TARGET != *:* ]] || SERVER_LISTEN=(-H ::)
    echo "bench: the server runs on $SERVER_HOST (in $REMOTE_DIR), client_load dials $TARGET" >&2
}

# remote_cleanup: for the EXIT trap, after the server is stopped.
remote_cleanup() {
    [ -n "$SSH_CTL" ] || return 0
    if [ -n "$REMOTE_DIR" ]; then
        ssh_srv "rm -rf ${REMOTE_DIR@Q}" </dev/null 2>/dev/null || true
        REMOTE_DIR=
    fi
    ssh_srv -O exit 2>/dev/null || true
    SSH_CTL=
}

# remote_exec PREFIX CMD...: the remote command line that starts a server:
# records where it runs (its pid, host and network namespace: the shell's
# pid is the server's after exec) in the folder's stats/, then becomes CMD.
remote_exec() {
    local where=$SROOT/stats/${1##*/}.where
    shift
    # shellcheck disable=SC2016  # expanded by the server's shell
    printf 'echo "pid=$$ host=$(hostname) netns=$(readlink /proc/$$/ns/net)" >%q && exec %s' \
        "$where" "${*@Q}"
}

# remote_stats PREFIX: brings the server's --stats JSON and where it ran
# back beside PREFIX (PREFIX.server.json, PREFIX.where) in one round trip,
# removing them there; a file the server did not write stays absent.
remote_stats() {
    [ -n "$SERVER_HOST" ] || return 0
    local name=${1##*/}
    local -a files=("$name.server.json" "$name.where")
    ssh_srv "cd ${SROOT@Q}/stats && tar -cf - --ignore-failed-read ${files[*]} 2>/dev/null; rm -f ${files[*]}" \
        </dev/null | tar -xf - -C "${1%/*}" 2>/dev/null || true
}

# path_setup: the path between client_load and the server, for
# machine.json: PATH_LOOPBACK (1 when TARGET is a loopback address) and
# PATH_RTT_US, the median round trip of a one-byte echo on one connection
# (thread_server, half a second of back-to-back requests: thousands of
# samples on any machine and path).
path_setup() {
    local prefix=$TMPD/path
    PATH_LOOPBACK=0
    [[ $TARGET != 127.* && $TARGET != ::1 ]] || PATH_LOOPBACK=1
    server_start "$prefix" thread echo
    run_client "$prefix" echo -c 1 -r 0 -s 1 -d 0.5
    server_stop
    PATH_RTT_US=$(jq -r '.latency_us.request.p50 // empty' "$prefix.client.json" 2>/dev/null) ||
        PATH_RTT_US=
    export PATH_LOOPBACK PATH_RTT_US
}

# ports_setup: the client's ephemeral ports. A short connection leaves its
# port in TIME_WAIT for 60 s on the side that closes first (the client, with
# echo and size); net.ipv4.tcp_tw_reuse=2 (Linux's default) reuses such
# ports only towards loopback. Towards another host this says, before the
# experiments, how soon the ports run out at this machine's estimated rate
# and how to avoid it; CLIENT_SOURCES (FIRST-LAST, addresses of this
# machine) spreads the connections over several source addresses, each with
# its own ports. A run that still runs out is flagged (ports_exhausted).
ports_setup() {
    [ "$PATH_LOOPBACK" = 0 ] || return 0
    SOURCE_ARGS=()
    [ -z "${CLIENT_SOURCES:-}" ] || SOURCE_ARGS=(--source "$CLIENT_SOURCES")
    local range reuse
    range=$(tr -s '\t ' ' ' </proc/sys/net/ipv4/ip_local_port_range)
    reuse=$(cat /proc/sys/net/ipv4/tcp_tw_reuse)
    [ "$reuse" != 1 ] || return 0
    awk -v r="$range" -v reuse="$reuse" -v rate="$(guess_rate thread)" \
        -v src="${CLIENT_SOURCES:-}" -v target="$TARGET" '
        function ip(a, p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
        BEGIN {
            split(r, lh, " "); ports = lh[2] - lh[1] + 1; n = 1
            if (src != "") { split(src, s, "-"); n = (s[2] == "") ? 1 : ip(s[2]) - ip(s[1]) + 1 }
            t = ports * n / rate
            printf "bench: short connections to %s leave each client port in TIME_WAIT for 60 s, " \
                   "and net.ipv4.tcp_tw_reuse=%s does not reuse them there: at about %d " \
                   "connections/s (this machine'"'"'s estimate) the %d ports of " \
                   "net.ipv4.ip_local_port_range (%s) x %d source address%s last %.0f s of " \
                   "short-connection load in any minute.", target, reuse, rate, ports, r, n,
                   (n == 1) ? "" : "es", t
            if (t < 60) printf " Fix: sysctl -w net.ipv4.tcp_tw_reuse=1 on this machine, or " \
                               "CLIENT_SOURCES=FIRST-LAST (addresses of this machine that reach " \
                               "the server; client_load --source). Runs that run out are flagged."
            printf "\n"
        }' >&2
}
