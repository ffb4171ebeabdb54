//! dockfix: a codemod that rewrites Dockerfiles so their images are smaller
//! and rebuild faster, without changing what the image does.

pub mod base_images;
pub mod cli;
pub mod config;
pub mod context_files;
pub mod discovery;
pub mod dockerignore;
pub mod engine;
pub mod input;
pub mod machine_output;
pub mod output;
pub mod paths;
pub mod server;
pub mod shell;
pub mod syntax;
pub mod transforms;
pub mod verify;
