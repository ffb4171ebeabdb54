# Shared helpers for the real-build suite; sourced, never run.
# The Debian 20.10 CLI speaks BuildKit through DOCKER_BUILDKIT=1 without buildx;
# a newer CLI without buildx refuses BuildKit, so prefer the Debian one.
if [ -z "${DOCKER:-}" ]; then
    if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi
export DOCKER
export DOCKER_BUILDKIT=1

log() { printf '[real-builds %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# retry N CMD...: run CMD up to N times, sleeping a little longer each time.
retry() {
    local attempts=$1 n=1
    shift
    until "$@"; do
        if [ "$n" -ge "$attempts" ]; then
            log "failed after $n attempts: $*"
            return 1
        fi
        log "attempt $n failed, retrying: $*"
        sleep $((n * 5))
        n=$((n + 1))
    done
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
