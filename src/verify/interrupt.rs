//! Ctrl-C (or SIGTERM, SIGHUP) during a verification: the containers and
//! images of the file being verified are removed (unless `--keep-images`)
//! and its temporary directory too, then dockfix exits with 130. The
//! builder's own child process receives the same signal and stops.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use super::engine::Engine;

struct Watched {
    engine: Engine,
    label: String,
    directory: PathBuf,
    keep_images: bool,
}

static WATCHED: Mutex<Option<Watched>> = Mutex::new(None);
static HANDLER: Once = Once::new();

/// Clears what is watched when the file's verification ends.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        *lock() = None;
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<Watched>> {
    WATCHED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Watches one file's verification until the guard is dropped.
pub fn watch(engine: &Engine, label: &str, directory: &Path, keep_images: bool) -> Guard {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if let Some(watched) = lock().take() {
                if !watched.keep_images {
                    watched.engine.remove_labelled(&watched.label);
                }
                let _ = std::fs::remove_dir_all(&watched.directory);
            }
            std::process::exit(130);
        });
    });
    *lock() = Some(Watched {
        engine: engine.clone(),
        label: label.to_string(),
        directory: directory.to_path_buf(),
        keep_images,
    });
    Guard
}
