# shellcheck shell=bash
# A throwaway PostgreSQL cluster: initdb into a temp folder, loopback TCP and a unix socket in that folder,
# a free port, started and stopped by its pid. Sourced by scripts/test, scripts/demo and Benchmarks/run.
#
#   cluster_start [DIR]   sets CLUSTER_DIR, CLUSTER_PORT, CLUSTER_PID, CLUSTER_PASSWORD,
#                         CLUSTER_DSN (unix socket, superuser postgres) and CLUSTER_TCP_DSN (127.0.0.1, password)
#   cluster_stop          stops the postmaster by its pid (fast shutdown) and removes the folder
#
# As root, the server runs as the postgres user (initdb refuses root). Local socket connections are trusted;
# TCP connections need the superuser's password (scram-sha-256).

cluster_bindir() {
    local d
    for d in "${PG_BINDIR:-}" /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null)"; do
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; return 0; fi
    done
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ]; then printf '%s\n' "$d"; return 0; fi
    done
    echo "cluster: no PostgreSQL server binaries found (install postgresql, or set PG_BINDIR)" >&2
    return 1
}

cluster_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a server binary as the cluster's owner.
cluster_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_start() {
    local bindir
    bindir=$(cluster_bindir) || return 1
    CLUSTER_DIR=${1:-$(mktemp -d /tmp/chain-audit-pg.XXXXXX)}
    mkdir -p "$CLUSTER_DIR"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "cluster: running as root needs a 'postgres' user" >&2; return 1; }
        chown postgres: "$CLUSTER_DIR"
        chmod 0755 "$CLUSTER_DIR"
    fi
    CLUSTER_PASSWORD=${CLUSTER_PASSWORD:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')}
    printf '%s\n' "$CLUSTER_PASSWORD" > "$CLUSTER_DIR/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER_DIR/pwfile"
    chmod 0600 "$CLUSTER_DIR/pwfile"
    cluster_as_owner "$bindir/initdb" -D "$CLUSTER_DIR/data" -U postgres -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$CLUSTER_DIR/pwfile" >"$CLUSTER_DIR/initdb.log" 2>&1 \
        || { cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
    rm -f "$CLUSTER_DIR/pwfile"
    local attempt
    for attempt in 1 2 3 4 5; do
        CLUSTER_PORT=$(cluster_free_port)
        if cluster_as_owner "$bindir/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -c port=$CLUSTER_PORT -c unix_socket_directories=$CLUSTER_DIR \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
                -c shared_buffers=256MB -c max_wal_size=4GB -c wal_level=replica -c max_wal_senders=10 \
                ${CLUSTER_EXTRA_OPTIONS:-}" >/dev/null 2>&1; then
            break
        fi
        CLUSTER_PORT=
    done
    if [ -z "$CLUSTER_PORT" ]; then
        echo "cluster: the server did not start; its log:" >&2
        cat "$CLUSTER_DIR/server.log" >&2
        return 1
    fi
    CLUSTER_PID=$(head -n 1 "$CLUSTER_DIR/data/postmaster.pid")
    CLUSTER_BINDIR=$bindir
    CLUSTER_DSN="host=$CLUSTER_DIR port=$CLUSTER_PORT user=postgres dbname=postgres"
    CLUSTER_TCP_DSN="postgresql://postgres:$CLUSTER_PASSWORD@127.0.0.1:$CLUSTER_PORT/postgres"
    export CLUSTER_DIR CLUSTER_PORT CLUSTER_PID CLUSTER_PASSWORD CLUSTER_DSN CLUSTER_TCP_DSN CLUSTER_BINDIR
}

cluster_stop() {
    [ -n "${CLUSTER_PID:-}" ] || return 0
    if kill -0 "$CLUSTER_PID" 2>/dev/null; then
        kill -INT "$CLUSTER_PID" 2>/dev/null
        local i
        for i in $(seq 1 100); do
            kill -0 "$CLUSTER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$CLUSTER_PID" 2>/dev/null && kill -QUIT "$CLUSTER_PID" 2>/dev/null
    fi
    CLUSTER_PID=
    [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR" ] && rm -rf "$CLUSTER_DIR"
    CLUSTER_DIR=
}

# psql against the cluster as its superuser, stopping at the first error.
cluster_psql() {
    psql "$CLUSTER_DSN" -X -q -v ON_ERROR_STOP=1 "$@"
}
