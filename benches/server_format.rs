//! The format-on-save path inside the language server: a 20 KB Dockerfile
//! analysed and turned into minimal edits, as `textDocument/formatting`
//! does. `cargo bench --bench server_format` (not part of CI).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dockfix::server::{Options, analyse, format_edits};

/// The binary's allocator (src/main.rs), so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One stage of the kind real files repeat (apt, pip, copies, env).
const STAGE: &str = "FROM python:3.11 AS stage\n\
ENV PYTHONUNBUFFERED=1\n\
WORKDIR /app\n\
RUN apt-get update\n\
RUN apt-get install -y \\\n      build-essential \\\n      libpq-dev \\\n      curl\n\
COPY requirements.txt .\n\
RUN pip install -r requirements.txt\n\
COPY . .\n\
RUN python -m compileall . && \\\n    useradd --create-home app\n\
USER app\n\
CMD [\"gunicorn\", \"app:app\"]\n\n";

/// About 20 KB: the size of the corpus's largest file.
fn twenty_kilobytes() -> String {
    let mut text = String::new();
    let mut index = 0;
    while text.len() < 20 * 1024 {
        text.push_str(&STAGE.replace("AS stage", &format!("AS stage{index}")));
        index += 1;
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = twenty_kilobytes();
    let uri = "file:///nonexistent/Dockerfile".parse().unwrap();
    let options = Options::default();
    let mut group = c.benchmark_group("server");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("format 20 KB", |b| {
        b.iter(|| {
            let analysis = analyse(&uri, black_box(&text), &options);
            black_box(format_edits(&analysis, &text, None))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
