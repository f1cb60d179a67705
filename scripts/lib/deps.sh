# shellcheck shell=bash
# Installs the Debian packages chain-audit needs when any is missing (as root, with apt-get).
# Sourced by scripts/test, scripts/demo and Benchmarks/run.

CHAIN_AUDIT_PACKAGES=(libpq-dev libssl-dev pkg-config postgresql postgresql-contrib libxml2-utils python3
                      python3-jsonschema python3-yaml)

# Installed when possible, never required: prometheus provides promtool, which the tests run on the metrics
# file beside their own strict parser (which always runs). The package ships a service, so it is installed
# only where policy-rc.d keeps services from starting (Debian's container images); elsewhere, install it
# yourself if you want promtool.
CHAIN_AUDIT_OPTIONAL_PACKAGES=(prometheus)

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

deps_install_optional() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
        if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
            echo "optional package $p is not installed (not root): the tests use their own checks without it" >&2
            continue
        fi
        local policy=0
        if [ -x /usr/sbin/policy-rc.d ]; then /usr/sbin/policy-rc.d >/dev/null 2>&1 || policy=$?; fi
        if [ "$policy" != 101 ]; then
            echo "optional package $p not installed: nothing here keeps its service from starting (policy-rc.d)" >&2
            continue
        fi
        deps_install "$p" || echo "optional package $p could not be installed; continuing without it" >&2
    done
}

deps_check_swift() {
    command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6 toolchain required)" >&2; return 1; }
}
