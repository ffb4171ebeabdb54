# Stand-in for gcr.io/distroless/cc-debian12: the static stand-in plus the C
# runtime (glibc, libgcc) that Rust and C binaries link against. `cp -L`
# copies what the links point at: /lib64/ld-linux-x86-64.so.2 is a link into
# /lib/x86_64-linux-gnu, and a copied dangling link leaves no loader (binaries
# then fail with "no such file or directory").
FROM debian:bookworm-slim AS files
RUN mkdir -p /out/lib/x86_64-linux-gnu /out/lib64 \
 && cp -L /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/libgcc_s.so.1 \
          /lib/x86_64-linux-gnu/libdl.so.2 /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/librt.so.1 \
          /out/lib/x86_64-linux-gnu/ \
 && cp -L /lib64/ld-linux-x86-64.so.2 /out/lib64/

FROM gcr.io/distroless/static-debian12
COPY --from=files /out/ /
