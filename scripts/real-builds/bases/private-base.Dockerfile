# Stand-in for a private Debian base made without Debian's docker-clean apt
# hook (a debootstrap of your own, or `FROM scratch` plus a root filesystem):
# the slim stand-in with the hook removed, so downloaded .deb files stay in
# /var/cache/apt/archives as they do on such bases.
FROM debian:bookworm-slim
RUN rm -f /etc/apt/apt.conf.d/docker-clean \
 && test ! -e /etc/apt/apt.conf.d/docker-clean
