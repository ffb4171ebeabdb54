//! Image references as written after `FROM`: `[registry[:port]/][path/]name[:tag][@digest]`.

use crate::paths::last_component;
use std::fmt;

/// A parsed image reference. Parsing never fails: odd text just ends up in
/// `path`. `${VAR}` references are kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `ghcr.io`, `localhost:5000`, `mcr.microsoft.com`; `None` for Docker Hub.
    pub registry: Option<String>,
    /// Repository path without registry: `library/python`, `node`, `bitnami/redis`.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(text: &str) -> Self {
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (text, None),
        };
        let (registry, remainder) = match rest.split_once('/') {
            Some((first, remainder))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), remainder)
            }
            _ => (None, rest),
        };
        let last_slash = remainder.rfind('/').map_or(0, |i| i + 1);
        // A tag is after the last ':' of the last path component, but not
        // inside a `${VAR:-default}` expansion.
        let name_part = &remainder[last_slash..];
        let tag_at = tag_separator(name_part);
        let (path, tag) = match tag_at {
            Some(at) => (
                format!("{}{}", &remainder[..last_slash], &name_part[..at]),
                Some(name_part[at + 1..].to_string()),
            ),
            None => (remainder.to_string(), None),
        };
        Self {
            registry,
            path,
            tag,
            digest,
        }
    }

    /// The last path component: `python` for `docker.io/library/python:3`.
    pub fn name(&self) -> &str {
        last_component(&self.path)
    }

    /// The repository as a user would name it for matching: Docker Hub's
    /// `library/` prefix and `docker.io` registry are dropped.
    pub fn repository(&self) -> String {
        let path = self.path.strip_prefix("library/").unwrap_or(&self.path);
        match self.registry.as_deref() {
            None | Some("docker.io") | Some("index.docker.io") | Some("registry-1.docker.io") => {
                path.to_string()
            }
            Some(registry) => format!("{registry}/{path}"),
        }
    }

    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.path.eq_ignore_ascii_case("scratch")
    }

    /// True when any part depends on a build argument.
    pub fn has_variables(&self) -> bool {
        self.to_string().contains('$')
    }
}

fn tag_separator(name_part: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut found = None;
    let bytes = name_part.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                found.get_or_insert(i);
            }
            _ => {}
        }
    }
    found
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        f.write_str(&self.path)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn parses_references() {
        let image = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(image.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(image.path, "team/app");
        assert_eq!(image.tag.as_deref(), Some("1.2"));
        assert_eq!(image.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(image.to_string(), "localhost:5000/team/app:1.2@sha256:abc");

        let image = ImageRef::parse("python:3.11.4-bookworm");
        assert_eq!(image.registry, None);
        assert_eq!(image.name(), "python");
        assert_eq!(image.tag.as_deref(), Some("3.11.4-bookworm"));

        let image = ImageRef::parse("docker.io/library/node");
        assert_eq!(image.repository(), "node");
        assert_eq!(image.tag, None);

        let image = ImageRef::parse("node:${NODE_VERSION:-20}-bullseye");
        assert_eq!(image.tag.as_deref(), Some("${NODE_VERSION:-20}-bullseye"));
        assert!(image.has_variables());

        assert!(ImageRef::parse("scratch").is_scratch());
        assert_eq!(
            ImageRef::parse("mcr.microsoft.com/dotnet/sdk:8.0").repository(),
            "mcr.microsoft.com/dotnet/sdk"
        );
    }
}
