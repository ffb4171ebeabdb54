//! The transforms, one per file. Each file opens with the transform's
//! documentation; `transforms/<id>/README.md` holds the same text for users.

mod cleanup_same_layer;
mod copy_manifests_first;
mod dockerignore;
mod merge_runs;
pub mod multi_stage;
mod package_cache_flags;
pub mod run_body;
mod slim_base_image;
pub mod workdir;

use crate::engine::Transform;

/// Every transform, in the order the engine runs them.
pub fn all() -> Vec<&'static dyn Transform> {
    vec![
        &merge_runs::MergeRuns,
        &copy_manifests_first::CopyManifestsFirst,
        &cleanup_same_layer::CleanupSameLayer,
        &package_cache_flags::PackageCacheFlags,
        &slim_base_image::SlimBaseImage,
        &dockerignore::DockerignoreEntries,
        &multi_stage::MultiStage,
    ]
}

/// The transform with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Transform> {
    all().into_iter().find(|transform| transform.id() == id)
}
