#!/usr/bin/env bash
# Build the base images the real-build contexts start FROM, locally, without a
# registry. Images already in the engine are kept unless --force.
#
#   debian:bookworm       debootstrap --variant=minbase with the official
#                         image's apt/dpkg settings, and this machine's
#                         locally trusted CA certificates
#   debian:bookworm-slim  the same, slimmed like the official slim image
#                         (no docs, man pages or locales)
#   python, node, golang, buildpack-deps stand-ins: built FROM those with
#                         Debian's own packages (see bases/*.Dockerfile)
#
# These are STAND-INS for Docker Hub's images: they carry the same kind of
# content (the full variants the build tools, the slim ones not), but their
# absolute sizes differ. The suite compares before and after on the same base.
#
# The Debian mirror, its apt settings, any apt proxy and the locally trusted
# CA certificates are read from this machine at run time; no host name lives
# in the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

force=0
[ "${1:-}" = "--force" ] && force=1

# Each image is also tagged dockfix-real-builds/recipe-of-NAME:HASH, the hash
# of its recipe (and of its parents' ids), so it is rebuilt when its recipe
# changes and kept otherwise. (A tag, not a label: labels would be inherited
# by every image built FROM it and show up in verify's config comparison.)
recipe_tag() { printf 'dockfix-real-builds/recipe-of-%s:%s' "$(printf '%s' "$1" | tr -c 'a-z0-9._\n-' '-')" "$2"; }
up_to_date() {
    [ "$force" = 0 ] || return 1
    local id recorded
    id=$("$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null) || return 1
    recorded=$("$DOCKER" image inspect -f '{{.Id}}' "$(recipe_tag "$1" "$2")" 2>/dev/null) || return 1
    [ "$id" = "$recorded" ]
}
record_recipe() { "$DOCKER" tag "$1" "$(recipe_tag "$1" "$2")"; }

# The first mirror URI that serves bookworm, from deb822 .sources files or
# one-line sources.list entries.
host_debian_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; suites = ""
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
                    if ($i ~ /^Suites:/) { suites = " " $i " " }
                }
                if (uris != "" && suites ~ /[ \t]bookworm[ \t]/) { split(uris, u, /[ \t]+/); print u[1]; exit }
            }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == "bookworm") { print $i; exit } }' "$f"
    done
}

# Apt settings of this machine the image needs to reach the same mirror:
# snapshot mirrors need the validity checks off; a proxy must be kept.
host_apt_settings() {
    grep -hE '^[[:space:]]*Acquire::(Check-Valid-Until|Check-Date)' /etc/apt/apt.conf /etc/apt/apt.conf.d/* 2>/dev/null || true
    apt-config dump 2>/dev/null | grep -E '^Acquire::(http|https|ftp)::Proxy ' || true
}

# Copy the host's apt sources whose signing keys the image has.
copy_host_sources() {
    local rootfs=$1 f key ok
    rm -f "$rootfs/etc/apt/sources.list"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
        [ -s "$f" ] || continue
        grep -qE '^[^#]*[a-z]' "$f" || continue
        ok=1
        for key in $(grep -ohE '(Signed-By:|signed-by=)[[:space:]]*/[^] ]+' "$f" | sed -E 's/^(Signed-By:|signed-by=)[[:space:]]*//'); do
            [ -e "$rootfs$key" ] || { log "not copying $f: the image lacks its key $key"; ok=0; }
        done
        if [ "$ok" = 1 ]; then
            mkdir -p "$rootfs$(dirname "$f")"
            cp "$f" "$rootfs$f"
        fi
    done
}

# Certificate authorities this machine trusts locally (for instance the CA of
# a TLS-intercepting egress proxy): without them no HTTPS download inside a
# build could be verified here. update-ca-certificates adds them to the
# bundle whenever a build installs ca-certificates, as on this host.
copy_host_local_cas() {
    local rootfs=$1 cert
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    for cert in /usr/local/share/ca-certificates/*.crt; do
        [ -f "$cert" ] && cp "$cert" "$rootfs/usr/local/share/ca-certificates/"
    done
    return 0
}

# The settings Debian's official Docker images carry (debuerreotype): apt keeps
# no .deb files or binary caches, keeps its lists gzipped, fetches no
# translations; dpkg skips fsync.
official_image_settings() {
    local rootfs=$1
    cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
    echo 'Acquire::GzipIndexes "true";' > "$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Acquire::Languages "none";' > "$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
    echo 'force-unsafe-io' > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
    # Not in the official image: builds in the suite must survive a flaky
    # network, so every apt download is retried.
    echo 'Acquire::Retries "5";' > "$rootfs/etc/apt/apt.conf.d/90real-builds-retries"
    host_apt_settings > "$rootfs/etc/apt/apt.conf.d/90real-builds-host"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/tmp/* "$rootfs"/var/log/*.log
}

# What the official slim image leaves out (debuerreotype-slimify).
slimify() {
    local rootfs=$1
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
CONF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/linda/* \
        "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/man/*
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
}

import_rootfs() {
    local rootfs=$1 tag=$2 recipe=$3
    tar --numeric-owner -C "$rootfs" -c . | "$DOCKER" import \
        --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$tag" >/dev/null
    record_recipe "$tag" "$recipe"
    log "imported $tag"
}

build_debian() {
    local recipe
    recipe=$( { declare -f build_debian copy_host_sources copy_host_local_cas official_image_settings slimify import_rootfs; host_apt_settings; host_debian_mirror; cat /usr/local/share/ca-certificates/*.crt 2>/dev/null; } | sha256sum | cut -c1-16)
    if up_to_date debian:bookworm "$recipe" && up_to_date debian:bookworm-slim "$recipe"; then
        log "debian:bookworm and debian:bookworm-slim are up to date; keeping them (--force rebuilds)"
        return
    fi
    command -v debootstrap >/dev/null || die "debootstrap is missing (engine.sh installs it)"
    local mirror work
    mirror=$(host_debian_mirror | head -n 1)
    [ -n "$mirror" ] || die "no Debian bookworm mirror found in this machine's apt sources"
    work=$(mktemp -d /var/tmp/real-builds-rootfs.XXXXXX)
    trap 'rm -rf "$work"' RETURN
    log "debootstrap minbase bookworm from the host's mirror"
    # A failed debootstrap leaves a half-made tree: start each attempt clean.
    retry 3 bash -c 'rm -rf "$1/full" && debootstrap --variant=minbase bookworm "$1/full" "$2" >"$1/debootstrap.log" 2>&1 || { tail -n 20 "$1/debootstrap.log" >&2; exit 1; }' _ "$work" "$mirror"
    copy_host_sources "$work/full"
    copy_host_local_cas "$work/full"
    official_image_settings "$work/full"
    cp -a "$work/full" "$work/slim"
    slimify "$work/slim"
    import_rootfs "$work/slim" debian:bookworm-slim "$recipe"
    import_rootfs "$work/full" debian:bookworm "$recipe"
}

# build_stand_in TAG FILE: a stand-in built from bases/FILE.
build_stand_in() {
    local tag=$1 file=$2 recipe parent
    recipe=$( {
        cat "$here/bases/$file"
        for parent in $(awk 'toupper($1) == "FROM" { print $2 }' "$here/bases/$file"); do
            [ "$parent" = scratch ] || "$DOCKER" image inspect -f '{{.Id}}' "$parent" 2>/dev/null || echo "missing $parent"
        done
    } | sha256sum | cut -c1-16)
    if up_to_date "$tag" "$recipe"; then
        log "$tag is up to date; keeping it"
        return
    fi
    log "building $tag from $file"
    retry 3 "$DOCKER" build -q -t "$tag" -f "$here/bases/$file" "$here/bases" >/dev/null
    record_recipe "$tag" "$recipe"
}

build_debian
if [ -d "$here/bases" ]; then
    while read -r tag file; do
        case "$tag" in ''|'#'*) continue ;; esac
        case "$file" in
            =*) "$DOCKER" tag "${file#=}" "$tag" ;;
            *) build_stand_in "$tag" "$file" ;;
        esac
    done < "$here/bases/images.txt"
fi
log "base images ready"
