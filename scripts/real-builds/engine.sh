# Make a Docker engine available to the real-build suite. Source this file,
# then call `engine_up`: it installs what is missing (docker.io, debootstrap,
# from Debian), starts dockerd when none answers, waits for it, and stops it
# when the calling shell exits, but only if it started it.
#
# When no engine can be started, engine_up exits the caller with status 1 and
# says why: the suite never skips silently.

_engine_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_engine_dir/lib.sh"

engine_install_missing() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    [ -x "$DOCKER" ] || command -v "$DOCKER" >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]} and not root: install them with apt-get (Debian's docker.io and debootstrap)"
    log "installing ${missing[*]}"
    retry 3 apt-get update -qq || die "apt-get update failed"
    # shellcheck disable=SC2068
    retry 3 env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $(printf '%s\n' "${missing[@]}" | sort -u) ca-certificates iptables \
        || die "could not install ${missing[*]}"
    if [ ! -x "$DOCKER" ] && [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; fi
}

engine_answers() { "$DOCKER" info >/dev/null 2>&1; }

engine_up() {
    engine_install_missing
    if engine_answers; then
        log "Docker engine already running; leaving it as it is"
        return 0
    fi
    [ -z "${DOCKER_HOST:-}" ] || die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
    [ "$(id -u)" = 0 ] || die "no Docker engine answers and starting dockerd needs root"
    ENGINE_LOG=${ENGINE_LOG:-/var/tmp/real-builds-dockerd.log}
    log "starting dockerd (log: $ENGINE_LOG)"
    dockerd --storage-driver=overlay2 >"$ENGINE_LOG" 2>&1 &
    ENGINE_PID=$!
    trap engine_down EXIT
    local waited=0
    until engine_answers; do
        if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
            tail -n 20 "$ENGINE_LOG" >&2 || true
            die "dockerd exited at start (last lines of $ENGINE_LOG above): the real-build suite needs a Docker engine"
        fi
        if [ "$waited" -ge 60 ]; then
            tail -n 20 "$ENGINE_LOG" >&2 || true
            die "dockerd did not answer within 60 s (see $ENGINE_LOG): the real-build suite needs a Docker engine"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "dockerd up after ${waited} s (pid $ENGINE_PID); it stops when this run ends"
}

engine_down() {
    [ -n "${ENGINE_PID:-}" ] || return 0
    log "stopping the dockerd this run started (pid $ENGINE_PID)"
    kill "$ENGINE_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$ENGINE_PID" 2>/dev/null && [ "$waited" -lt 30 ]; do
        sleep 1
        waited=$((waited + 1))
    done
    ENGINE_PID=
}
