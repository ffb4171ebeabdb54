//! Throughput of the two things dockfix does on every editor save: parse and
//! print a realistic Dockerfile, and run every transform on it.
//! `cargo bench` (not part of CI: timings depend on the machine).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dockfix::cli::fix_text;
use dockfix::config::Settings;
use dockfix::syntax::Dockerfile;

/// The binary's allocator (src/main.rs), so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The node example: a smelly single-stage build every transform has work on.
const EXAMPLE_NODE: &str = include_str!("../examples/node/Dockerfile");

/// The shapes real files have: a directive, `ARG` in `FROM`, a comment inside
/// a continued `RUN`, flags, a heredoc, two stages, exec-form `CMD`.
const MULTI_STAGE: &str = r#"# syntax=docker/dockerfile:1
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
RUN apt-get update
RUN apt-get install -y \
      git \
# build tools for native modules
      python3 make g++
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build
RUN <<EOF
set -eux
npm prune --omit=dev
EOF

FROM node:${NODE_VERSION}-bookworm
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
USER node
EXPOSE 3000
HEALTHCHECK CMD ["node", "dist/health.js"]
CMD ["node", "dist/server.js"]
"#;

fn inputs() -> [(&'static str, &'static str); 2] {
    [("example-node", EXAMPLE_NODE), ("multi-stage", MULTI_STAGE)]
}

fn parse_and_print(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse+print");
    for (name, text) in inputs() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| Dockerfile::parse(black_box(text)).text().len())
        });
    }
    group.finish();
}

fn all_transforms(c: &mut Criterion) {
    let settings = Settings {
        allow_unsafe: true,
        ..Settings::default()
    };
    let context = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/node");
    let path = context.join("Dockerfile");
    let mut group = c.benchmark_group("fix --unsafe");
    for (name, text) in inputs() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| fix_text(black_box(text), Some(&path), Some(&context), &settings).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, parse_and_print, all_transforms);
criterion_main!(benches);
