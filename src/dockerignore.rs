//! `.dockerignore` as BuildKit reads it: Go `filepath.Match` patterns per
//! path segment, `**` for any number of segments, `!` to re-include, the
//! last matching line wins, and a pattern that matches a directory excludes
//! everything in it (moby/patternmatcher).

use std::path::{Path, PathBuf};

use crate::engine::BuildContext;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    negated: bool,
    segments: Vec<String>,
}

/// The patterns of one ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

impl DockerIgnore {
    pub fn parse(text: &str) -> Self {
        let patterns = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let (negated, body) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let segments = clean(body);
                (!segments.is_empty()).then_some(Pattern { negated, segments })
            })
            .collect();
        Self { patterns }
    }

    /// The ignore file BuildKit uses for `dockerfile` in `context`:
    /// `<Dockerfile>.dockerignore` next to it when present, else
    /// `.dockerignore` at the context root. Returns its path (existing or
    /// not) and its patterns.
    pub fn for_build(context: &BuildContext, dockerfile: Option<&Path>) -> (PathBuf, Self) {
        if let Some(dockerfile) = dockerfile {
            let mut specific = dockerfile.as_os_str().to_owned();
            specific.push(".dockerignore");
            let specific = PathBuf::from(specific);
            if specific.is_file() {
                let text = std::fs::read_to_string(&specific).unwrap_or_default();
                return (specific, Self::parse(&text));
            }
        }
        let path = context.root().join(".dockerignore");
        let text = context.read(".dockerignore").unwrap_or_default();
        (path, Self::parse(&text))
    }

    /// True when `path` (relative to the context, `/`-separated) is not sent.
    pub fn excludes(&self, path: &str) -> bool {
        let segments = clean(path);
        let mut excluded = false;
        for pattern in &self.patterns {
            let matches =
                (1..=segments.len()).any(|len| match_segments(&pattern.segments, &segments[..len]));
            if matches {
                excluded = !pattern.negated;
            }
        }
        excluded
    }

    /// True when some `!` line could re-include something under `path`: the
    /// user wants part of it sent.
    pub fn has_exception_under(&self, path: &str) -> bool {
        let prefix = clean(path);
        self.patterns
            .iter()
            .filter(|pattern| pattern.negated)
            .any(|pattern| {
                pattern.segments.len() >= prefix.len()
                    && pattern.segments[..prefix.len()].iter().zip(&prefix).all(
                        |(pattern, segment)| pattern == "**" || match_segment(pattern, segment),
                    )
                    || pattern.segments.first().is_some_and(|first| first == "**")
            })
    }
}

/// Go's filepath.Clean of a relative pattern, split into segments.
fn clean(path: &str) -> Vec<String> {
    let mut segments: Vec<String> = Vec::new();
    for segment in path.trim().split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other.to_string()),
        }
    }
    segments
}

fn match_segments(pattern: &[String], path: &[String]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                match_segment(first, segment) && match_segments(rest, path_rest)
            }
            None => false,
        },
    }
}

/// Go's `filepath.Match` for one segment: `*`, `?`, `[...]` (with `^`/`!`
/// negation and ranges) and `\\` escapes. Greedy with one backtrack point
/// per `*`, so it stays linear-ish however many stars a pattern has.
fn match_segment(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
            continue;
        }
        if let Some(width) = match_one(&pattern, p, name[n]) {
            p += width;
            n += 1;
            continue;
        }
        match star {
            Some((star_p, star_n)) => {
                p = star_p + 1;
                n = star_n + 1;
                star = Some((star_p, star_n + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// How many pattern characters at `p` match the single character `c`, if
/// they do (`?`, a class, an escape or a literal).
fn match_one(pattern: &[char], p: usize, c: char) -> Option<usize> {
    match pattern.get(p)? {
        '*' => None,
        '?' => Some(1),
        '\\' if p + 1 < pattern.len() => (pattern[p + 1] == c).then_some(2),
        '[' => {
            let mut i = p + 1;
            let negate = matches!(pattern.get(i), Some('^' | '!'));
            if negate {
                i += 1;
            }
            let mut matched = false;
            let mut first = true;
            while i < pattern.len() && (pattern[i] != ']' || first) {
                first = false;
                let lo = if pattern[i] == '\\' && i + 1 < pattern.len() {
                    i += 1;
                    pattern[i]
                } else {
                    pattern[i]
                };
                if pattern.get(i + 1) == Some(&'-')
                    && pattern.get(i + 2).is_some_and(|hi| *hi != ']')
                {
                    matched |= lo <= c && c <= pattern[i + 2];
                    i += 3;
                } else {
                    matched |= lo == c;
                    i += 1;
                }
            }
            (i < pattern.len() && matched != negate).then_some(i + 1 - p)
        }
        literal => (*literal == c).then_some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_like_buildkit() {
        let ignore = DockerIgnore::parse(
            "# comment\n.git\n/node_modules/\n**/__pycache__\n*.log\n!keep.log\ndocs/*.md\n",
        );
        assert!(ignore.excludes(".git"));
        assert!(ignore.excludes(".git/HEAD"));
        assert!(ignore.excludes("node_modules/x/index.js"));
        assert!(
            !ignore.excludes("web/node_modules/x.js"),
            "no leading ** means the root only"
        );
        assert!(ignore.excludes("a/b/__pycache__/m.pyc"));
        assert!(ignore.excludes("__pycache__"));
        assert!(ignore.excludes("debug.log"));
        assert!(!ignore.excludes("logs/debug.log"));
        assert!(!ignore.excludes("keep.log"));
        assert!(ignore.excludes("docs/a.md"));
        assert!(!ignore.excludes("docs/sub/a.md"));
        assert!(!ignore.excludes("src/main.rs"));
    }

    #[test]
    fn exceptions_under_a_directory() {
        let ignore = DockerIgnore::parse("node_modules\n!node_modules/keep\n");
        assert!(ignore.has_exception_under("node_modules"));
        assert!(!ignore.has_exception_under(".git"));
    }

    #[test]
    fn segment_matching() {
        assert!(match_segment("*.py[co]", "a.pyc"));
        assert!(match_segment("file?.txt", "file1.txt"));
        assert!(!match_segment("[!a]bc", "abc"));
        assert!(match_segment("[a-c]x", "bx"));
        assert!(match_segment("\\*", "*"));
        assert!(match_segment("*.log", "a.b.log"));
        assert!(!match_segment("*.log", "a.log.txt"));
        assert!(match_segment("a*b*c", "aXbYbZc"));
        assert!(!match_segment(&"*a".repeat(30), &"a".repeat(29)));
    }
}
