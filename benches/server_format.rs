//! The format-on-save path inside the language server: a 20 KB Dockerfile
//! analysed and turned into minimal edits, as `textDocument/formatting`
//! does. Two files: a generated one of 63 stages that every transform has
//! work on (the hard case), and the largest file of `../shared/corpus`
//! (about 20 KB; left out, with a note, when the corpus is absent).
//! `cargo bench --bench server_format` (not part of CI).

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};

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

/// The largest `*.Dockerfile` under `../shared/corpus`, when it is there.
fn largest_corpus_file() -> Option<(String, String)> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut largest: Option<(u64, PathBuf)> = None;
    let mut folders = vec![corpus];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).ok()?.flatten() {
            let path = entry.path();
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "Dockerfile")
                && largest
                    .as_ref()
                    .is_none_or(|(size, _)| metadata.len() > *size)
            {
                largest = Some((metadata.len(), path));
            }
        }
    }
    let (_, path) = largest?;
    let text = fs::read_to_string(&path).ok()?;
    Some((path.display().to_string(), text))
}

fn bench(c: &mut Criterion) {
    let uri = "file:///nonexistent/Dockerfile".parse().unwrap();
    let options = Options::default();
    let mut files = vec![("format 20 KB".to_string(), twenty_kilobytes())];
    match largest_corpus_file() {
        Some((path, text)) => {
            eprintln!("largest corpus file: {path} ({} bytes)", text.len());
            files.push(("format largest corpus file".to_string(), text));
        }
        None => eprintln!("../shared/corpus is absent: only the generated file is measured"),
    }
    let mut group = c.benchmark_group("server");
    for (name, text) in &files {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                let analysis = analyse(&uri, black_box(text), &options);
                black_box(format_edits(&analysis, text, None))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
