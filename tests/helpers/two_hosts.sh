#!/usr/bin/env bash
# two_hosts.sh DIR CMD...: runs CMD as if on a client machine with the
# server's machine reachable over ssh as SERVER_HOST, without a second
# machine. Two network namespaces joined by a veth pair stand for the two
# hosts (198.18.0.1 the client's, 198.18.0.2 the server's: the benchmarking
# range); Debian's sshd runs in the server's on a throw-away host key and
# accepts a throw-away user key. CMD runs in the client's namespace with
# SERVER_HOST=perconn-server and SSH_CONFIG set (and, both hosts being this
# machine, SERVER_CPUS and CLIENT_CPUS splitting its CPUs as two machines
# would not share them). Everything is made in DIR and undone at exit.
#
# After CMD, DIR holds: srv_netns (the server namespace's id, as
# /proc/PID/ns/net reads there), srv_left and cli_left (the pids left in
# each namespace besides sshd: nothing, when CMD cleaned up), sshd.log.
# Exit status: CMD's; 77 when namespaces cannot be made here (the reason in
# DIR/skip); 1 when sshd would not start. Needs root, iproute2 and sshd.
set -euo pipefail

DIR=$1
shift
CLI_NS=pcc$$
SRV_NS=pcs$$
CLI_ADDR=198.18.0.1
SRV_ADDR=198.18.0.2
SSHD_JOB=
MADE_RUN_SSHD=

in_cli() { ip netns exec "$CLI_NS" "$@"; }
in_srv() { ip netns exec "$SRV_NS" "$@"; }

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -s "$DIR/sshd.pid" ]; then
        kill "$(cat "$DIR/sshd.pid")" 2>/dev/null || true
    fi
    [ -z "$SSHD_JOB" ] || wait "$SSHD_JOB" 2>/dev/null || true
    [ -z "$MADE_RUN_SSHD" ] || rmdir /run/sshd 2>/dev/null || true
    ip netns del "$CLI_NS" 2>/dev/null || true
    ip netns del "$SRV_NS" 2>/dev/null || true
}

make_hosts() {
    ip netns add "$CLI_NS" && ip netns add "$SRV_NS" || return 1
    ip link add "$CLI_NS" type veth peer name "$SRV_NS" || return 1
    ip link set "$CLI_NS" netns "$CLI_NS" && ip link set "$SRV_NS" netns "$SRV_NS"
    in_cli ip addr add "$CLI_ADDR/30" dev "$CLI_NS" && in_cli ip link set "$CLI_NS" up &&
        in_cli ip link set lo up
    in_srv ip addr add "$SRV_ADDR/30" dev "$SRV_NS" && in_srv ip link set "$SRV_NS" up &&
        in_srv ip link set lo up
}

write_configs() {
    ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
    ssh-keygen -q -t ed25519 -N '' -f "$DIR/id"
    cp "$DIR/id.pub" "$DIR/authorized_keys"
    echo "$SRV_ADDR $(cat "$DIR/host_key.pub")" >"$DIR/known_hosts"
    cat >"$DIR/sshd_config" <<EOF
ListenAddress $SRV_ADDR
HostKey $DIR/host_key
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $DIR/sshd.pid
MaxSessions 100
MaxStartups 100
EOF
    cat >"$DIR/ssh_config" <<EOF
Host perconn-server
    HostName $SRV_ADDR
    User root
    IdentityFile $DIR/id
    IdentitiesOnly yes
    UserKnownHostsFile $DIR/known_hosts
    StrictHostKeyChecking yes
EOF
}

# start_sshd: returns once sshd said it listens (its log read from a FIFO:
# no sleeping); the rest of its log goes on to DIR/sshd.log.
start_sshd() {
    if [ ! -d /run/sshd ]; then
        mkdir -p /run/sshd
        MADE_RUN_SSHD=1
    fi
    rm -f "$DIR/sshd.fifo"
    mkfifo "$DIR/sshd.fifo"
    in_srv /usr/sbin/sshd -D -e -f "$DIR/sshd_config" 2>"$DIR/sshd.fifo" &
    SSHD_JOB=$!
    local line="" log
    exec {log}<"$DIR/sshd.fifo"
    rm -f "$DIR/sshd.fifo"
    while IFS= read -r -t 20 line <&"$log"; do
        echo "$line" >>"$DIR/sshd.log"
        [[ $line != *"Server listening on"* ]] || break
    done
    [[ $line == *"Server listening on"* ]] || return 1
    cat <&"$log" >>"$DIR/sshd.log" &
    exec {log}<&-
}

# left NS: the pids in namespace NS besides sshd's, once those that are
# ending have ended (an ssh session's sshd process exits after its client
# has gone: polled, at most 10 s).
left() {
    local i pids
    for ((i = 0; i < 1000; i++)); do
        pids=$(ip netns pids "$1" | grep -vx "$(cat "$DIR/sshd.pid")" || true)
        [ -n "$pids" ] || return 0
        sleep 0.01
    done
    echo "$pids"
}

main() {
    [ $# -ge 1 ] || { echo "usage: two_hosts.sh DIR CMD..." >&2; exit 2; }
    mkdir -p "$DIR"
    if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
        echo "needs root and iproute2 to make network namespaces" >"$DIR/skip"
        exit 77
    fi
    [ -x /usr/sbin/sshd ] || { echo "two_hosts: no /usr/sbin/sshd (apt-get install openssh-server)" >&2; exit 1; }
    trap cleanup EXIT
    if ! make_hosts 2>"$DIR/netns.err"; then
        echo "cannot make network namespaces here: $(head -n 1 "$DIR/netns.err")" >"$DIR/skip"
        exit 77
    fi
    write_configs
    start_sshd || { cat "$DIR/sshd.log" >&2; echo "two_hosts: sshd did not start" >&2; exit 1; }
    in_srv readlink /proc/self/ns/net >"$DIR/srv_netns"
    local -a cpus env=(SERVER_HOST=perconn-server SSH_CONFIG="$DIR/ssh_config")
    mapfile -t cpus < <(taskset -pc $$ | sed 's/.*: *//' | tr ',' '\n' |
        awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }')
    [ "${#cpus[@]}" -lt 2 ] ||
        env+=(SERVER_CPUS="${cpus[0]}" CLIENT_CPUS="$(IFS=,; echo "${cpus[*]:1}")")
    local rc=0
    in_cli env "${env[@]}" "$@" || rc=$?
    left "$SRV_NS" >"$DIR/srv_left"
    left "$CLI_NS" >"$DIR/cli_left"
    exit "$rc"
}

main "$@"
