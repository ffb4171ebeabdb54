# Stand-in for gcr.io/distroless/cc-debian12: the static stand-in plus the C
# runtime (glibc, libgcc) that Rust and C binaries link against.
FROM debian:bookworm-slim AS files
RUN mkdir -p /out/lib/x86_64-linux-gnu /out/lib64 \
 && cp -a /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/libgcc_s.so.1 \
          /lib/x86_64-linux-gnu/libdl.so.2 /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/librt.so.1 \
          /out/lib/x86_64-linux-gnu/ \
 && cp -a /lib64/ld-linux-x86-64.so.2 /out/lib64/

FROM gcr.io/distroless/static-debian12
COPY --from=files /out/ /
