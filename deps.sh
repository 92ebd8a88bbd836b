#!/usr/bin/env bash
# deps.sh build|test|bench|fuzz|all: installs the Debian packages perconn needs
# that this machine lacks, saying which first; does nothing when all are here.
set -euo pipefail

build_pkgs=(gcc make libc6-dev libcmocka-dev)
# report.html: python3-markdown renders it; the tests open it in headless
# Chromium (chromium, chromium-driver, python3-selenium). remote.bats runs
# Debian's sshd in a network namespace (openssh-server).
test_pkgs=(bats jq curl wrk apache2-utils procps iproute2 util-linux strace valgrind
           shellcheck hyperfine gnuplot-nox python3 python3-markdown
           chromium chromium-driver python3-selenium openssh-server)
bench_pkgs=(hyperfine gnuplot-nox nginx jq wrk procps util-linux python3 python3-markdown)
fuzz_pkgs=(clang libclang-rt-14-dev)

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing_of() {
    local p
    for p in "$@"; do
        is_installed "$p" || printf '%s\n' "$p"
    done
}

install_pkgs() {
    local -a pkgs=("$@") sudo=()
    echo "perconn: installing missing Debian packages: ${pkgs[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "perconn: not root and no sudo: install ${pkgs[*]} by hand" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

main() {
    local -a want=()
    case "${1:-all}" in
        build) want=("${build_pkgs[@]}") ;;
        test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
        bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
        fuzz) want=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
        all) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
        *) echo "usage: deps.sh build|test|bench|fuzz|all" >&2; exit 2 ;;
    esac
    local -a missing
    mapfile -t missing < <(missing_of "${want[@]}" | sort -u)
    if [ "${#missing[@]}" -gt 0 ]; then
        install_pkgs "${missing[@]}"
    fi
}

main "$@"
