#!/usr/bin/env bash
# unprivileged.sh [MAKE ARGS...]: as root, runs `make test` (or make with the
# given arguments) as an ordinary user, on a throw-away copy of this checkout
# that the user owns, the way someone who clones the project and tests as
# themselves would. Creates the user (PERCONN_TEST_USER, default perconn-test)
# if it does not exist. Prints the tests that skipped, with their reasons, and
# exits with make's status. BATS_FILTER and SERVERS pass through (see run.sh). The packages must already be installed (make
# deps): the user has no way to install them.
set -euo pipefail
cd "$(dirname "$0")/.."

user=${PERCONN_TEST_USER:-perconn-test}

die() { echo "unprivileged.sh: $*" >&2; exit 1; }

ensure_user() {
    id -u "$user" >/dev/null 2>&1 && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$user"
}

# copy_tree DIR: the checkout's files without git's, the build's or a run's
# outputs, owned by the user.
copy_tree() {
    tar -C . --exclude=./.git --exclude=./bin --exclude=./build -cf - . |
        tar -C "$1" -xf -
    chown -R "$user:" "$1"
}

main() {
    [ "$(id -u)" -eq 0 ] || die "run as root (it creates a user and becomes it)"
    ensure_user
    local dir log rc=0
    dir=$(mktemp -d /tmp/perconn-unprivileged.XXXXXX)
    log=$dir.log
    # shellcheck disable=SC2064  # dir and log are fixed from here on
    trap "rm -rf '$dir' '$log'" EXIT
    chmod 0755 "$dir"
    copy_tree "$dir"
    local -a args=("$@")
    [ "${#args[@]}" -gt 0 ] || args=(test)
    echo "as $user ($(id -u "$user")) in $dir: make ${args[*]}"
    setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all \
        env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$dir" LANG=C.UTF-8 \
        TMPDIR=/tmp ${BATS_FILTER:+"BATS_FILTER=$BATS_FILTER"} \
        ${SERVERS:+"SERVERS=$SERVERS"} make -C "$dir" "${args[@]}" 2>&1 |
        tee "$log" || rc=$?
    # Each skip under the suite it came from (run.sh's "== integration:").
    local skips
    skips=$(awk '/^== integration: / { suite = $3 }
                 /^ok [0-9]+ .* # skip/ { sub(/^ok [0-9]+ /, ""); print "  " suite ": " $0 }' "$log")
    if [ -n "$skips" ]; then
        printf 'skipped as %s:\n%s\n' "$user" "$skips"
    else
        echo "skipped as $user: none"
    fi
    return "$rc"
}

main "$@"
