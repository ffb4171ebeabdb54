//! dockfix: a codemod that rewrites Dockerfiles so their images are smaller
//! and rebuild faster, without changing what the image does.

pub mod syntax;
