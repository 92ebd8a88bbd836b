#!/usr/bin/env bash
# remote_example.sh [EXPERIMENTS]: the README's example of the server on its
# own host. The quick profile's EXPERIMENTS (default 1,2) run twice, back to
# back: with the servers in another network namespace reached over ssh
# (SERVER_HOST, through tests/helpers/two_hosts.sh: a veth pair, sshd there),
# then on loopback as usual. For each it prints the path line of report.md
# and every verdict (data/verdicts.csv: the medians, the ratio and its
# interval). Needs root (network namespaces) and openssh-server.
set -euo pipefail
cd "$(dirname "$0")/.."

EXPS=${1:-1,2}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# show RUN_DIR WHAT
show() {
    echo
    echo "## $2"
    grep '^\*\*Path\*\*' "$1/report.md"
    grep '^- \*\*Pinning\*\*' "$1/report.md" | cut -d. -f1
    cut -d, -f1-5,7-9 "$1/data/verdicts.csv" | column -t -s,
}

main() {
    make --no-print-directory all bin/tests/tcpcheck >/dev/null
    tests/helpers/two_hosts.sh "$TMP/hosts" env RESULTS_DIR="$TMP/remote" EXPERIMENTS="$EXPS" \
        bench/run.sh quick >"$TMP/remote.out" 2>&1 || { cat "$TMP/remote.out"; exit 1; }
    RESULTS_DIR=$TMP/loopback EXPERIMENTS=$EXPS bench/run.sh quick >"$TMP/loopback.out" 2>&1 ||
        { cat "$TMP/loopback.out"; exit 1; }
    echo "# quick profile, experiments $EXPS; the servers on one CPU either way"
    show "$(readlink -f "$TMP/remote/latest")" \
        "server in another network namespace, over a veth pair (SERVER_HOST over ssh)"
    show "$(readlink -f "$TMP/loopback/latest")" "server on this machine, over loopback"
}

main "$@"
