# shellcheck shell=bash
# Installs the Debian packages chain-audit needs when any is missing (as root, with apt-get).
# Sourced by scripts/test, scripts/demo and Benchmarks/run.

CHAIN_AUDIT_PACKAGES=(libpq-dev libssl-dev pkg-config postgresql postgresql-contrib libxml2-utils python3)

deps_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "missing packages: ${missing[*]} (install them with apt-get as root)" >&2
        return 1
    fi
    echo "installing ${missing[*]} ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    local log
    log=$(mktemp)
    if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "apt-get could not install ${missing[*]}" >&2
        return 1
    fi
    rm -f "$log"
}

deps_check_swift() {
    command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6 toolchain required)" >&2; return 1; }
}
