//! The transforms, one per file. Each file opens with the transform's
//! documentation; `transforms/<id>/README.md` holds the same text for users.

mod add_to_copy;
mod cleanup_same_layer;
mod copy_chown;
mod copy_manifests_first;
mod dockerignore;
mod merge_runs;
pub mod multi_stage;
mod omit_dev_dependencies;
mod package_cache_flags;
pub mod package_index;
mod purge_build_deps;
pub mod run_body;
pub mod shipping;
mod slim_base_image;
mod static_binaries;
pub mod workdir;

use crate::engine::Transform;

/// Every transform, in priority order: when two fixes of one pass touch the
/// same bytes, the earlier transform's is applied and the other waits for
/// the next pass. The multi-stage split comes first so that a slim swap of
/// the same `FROM` does not pre-empt it, and the manifest reorder before
/// merge-runs, which would otherwise fold the install into a RUN that also
/// builds.
pub fn all() -> Vec<&'static dyn Transform> {
    vec![
        &multi_stage::MultiStage,
        &copy_manifests_first::CopyManifestsFirst,
        &cleanup_same_layer::CleanupSameLayer,
        &package_cache_flags::PackageCacheFlags,
        &purge_build_deps::PurgeBuildDeps,
        &omit_dev_dependencies::OmitDevDependencies,
        &add_to_copy::AddToCopy,
        &copy_chown::CopyChown,
        &static_binaries::StaticBinaries,
        &merge_runs::MergeRuns,
        &slim_base_image::SlimBaseImage,
        &dockerignore::DockerignoreEntries,
    ]
}

/// The transform with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Transform> {
    all().into_iter().find(|transform| transform.id() == id)
}
