//! Paths as text: file names in Dockerfiles, scripts and build contexts,
//! always with `/` separators whatever the host.

/// The last component of a path: the program `/usr/bin/apt-get` runs is
/// `apt-get`, and the name of `src/app.py` is `app.py`. (`rsplit('/')`
/// does the same, with a searcher set up per call that showed in profiles
/// of the many-`RUN` files.)
pub fn last_component(path: &str) -> &str {
    match path.bytes().rposition(|byte| byte == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::last_component;

    #[test]
    fn last_component_is_what_follows_the_last_slash() {
        for (path, last) in [
            ("/usr/bin/apt-get", "apt-get"),
            ("apt-get", "apt-get"),
            ("src/app.py", "app.py"),
            ("dir/", ""),
            ("/", ""),
            ("", ""),
        ] {
            assert_eq!(last_component(path), last, "{path}");
            assert_eq!(Some(last_component(path)), path.rsplit('/').next());
        }
    }
}
