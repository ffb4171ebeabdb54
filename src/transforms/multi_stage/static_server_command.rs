//! The folder a container's static file server serves, read from its
//! command alone: what a static front end is judged by when there is no
//! `package.json` to say which folder the build writes.

use super::Analysis;
use crate::paths::last_component;

/// A static file server's invocation: `serve -s build`, `npx serve -l 3000
/// dist`, `http-server ./public -p 8080`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ServedFolder {
    /// The folder, as written (relative to the container's working
    /// directory unless absolute).
    pub folder: String,
    /// `serve -s`/`--single`: every path that names no file answers
    /// `index.html` (client-side routing); nginx's default configuration
    /// answers 404 instead.
    pub single_page: bool,
}

/// serve's options (vercel/serve, `serve --help`) that take a value.
const SERVE_VALUE_OPTIONS: &[&str] = &[
    "-l",
    "--listen",
    "-p",
    "--port",
    "--ssl-cert",
    "--ssl-key",
    "--ssl-pass",
];

/// serve's options that take none.
const SERVE_SWITCHES: &[&str] = &[
    "-s",
    "--single",
    "-d",
    "--debug",
    "-C",
    "--cors",
    "-n",
    "--no-clipboard",
    "-u",
    "--no-compression",
    "--no-etag",
    "-S",
    "--symlinks",
    "--no-port-switching",
    "-L",
    "--no-request-logging",
];

/// The folder the command serves. Only a folder named in the command
/// counts: without one, serve and http-server serve the working directory
/// (or `./public`), which is never a build output folder to copy alone.
pub(super) fn served_folder(command: &[String]) -> Analysis<ServedFolder> {
    let words: Vec<&str> = command.iter().map(String::as_str).collect();
    let mut rest = words.as_slice();
    if rest.first() == Some(&"npx") {
        rest = &rest[1..];
        while let Some(option) = rest.first().filter(|w| w.starts_with('-')) {
            if !matches!(*option, "-y" | "--yes" | "--no-install" | "--no") {
                return Err(format!("npx option `{option}` is not known"));
            }
            rest = &rest[1..];
        }
    }
    let Some((program, arguments)) = rest.split_first() else {
        return Err("the container runs no command".into());
    };
    let name = last_component(program);
    let ServedFolder {
        folder,
        single_page,
    } = match name {
        "serve" => serve_arguments(arguments)?,
        "http-server" => http_server_arguments(arguments)?,
        _ => {
            return Err(format!(
                "the container runs `{}`, not `serve` or `http-server` naming the folder it serves",
                words.join(" ")
            ));
        }
    };
    if folder.contains(|c: char| "$`\\\"'|&;<>()*?[]~{}#=".contains(c)) {
        return Err(format!("the served folder `{folder}` is not a plain path"));
    }
    let plain = folder.trim_start_matches("./").trim_end_matches('/');
    if plain.is_empty() || plain == "." || plain == "/" || plain.split('/').any(|p| p == "..") {
        return Err(format!(
            "the container serves `{folder}`, the working directory or above, not a build output folder"
        ));
    }
    Ok(ServedFolder {
        folder,
        single_page,
    })
}

fn serve_arguments(arguments: &[&str]) -> Analysis<ServedFolder> {
    let mut folders = Vec::new();
    let mut single_page = false;
    let mut rest = arguments.iter();
    while let Some(word) = rest.next() {
        let option = word.split('=').next().unwrap_or(word);
        if matches!(option, "-c" | "--config") {
            // A serve.json can set `public` (another folder) and rewrites.
            return Err("serve reads a config file (`-c`) that may set the folder".into());
        } else if SERVE_VALUE_OPTIONS.contains(&option) {
            if !word.contains('=') {
                rest.next();
            }
        } else if SERVE_SWITCHES.contains(word) {
            single_page |= matches!(*word, "-s" | "--single");
        } else if word.starts_with('-') {
            return Err(format!(
                "serve option `{word}` is not known (it may take the next word as its value)"
            ));
        } else {
            folders.push(word.to_string());
        }
    }
    match folders.as_slice() {
        [folder] => Ok(ServedFolder {
            folder: folder.clone(),
            single_page,
        }),
        [] => Err("`serve` names no folder (it serves the working directory)".into()),
        _ => Err(format!(
            "`serve` is given several folders: {}",
            folders.join(", ")
        )),
    }
}

/// http-server takes the folder as its first argument (`http-server [path]
/// [options]`); several of its options take an optional value, so the
/// folder is only trusted in that first place.
fn http_server_arguments(arguments: &[&str]) -> Analysis<ServedFolder> {
    match arguments.first() {
        Some(folder) if !folder.starts_with('-') => Ok(ServedFolder {
            folder: folder.to_string(),
            single_page: false,
        }),
        _ => Err("`http-server` does not name its folder first (it serves ./public or the working directory)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(text: &str) -> Analysis<ServedFolder> {
        let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        served_folder(&words)
    }

    fn folder(text: &str) -> Option<String> {
        served(text).ok().map(|served| served.folder)
    }

    #[test]
    fn folders_named_in_the_command() {
        assert_eq!(
            served("npx serve -s build"),
            Ok(ServedFolder {
                folder: "build".into(),
                single_page: true
            })
        );
        assert_eq!(folder("serve -l 3000 dist").as_deref(), Some("dist"));
        assert_eq!(
            folder("serve --listen=tcp://0.0.0.0:80 dist/").as_deref(),
            Some("dist/")
        );
        assert_eq!(
            folder("npx --yes serve /srv/site").as_deref(),
            Some("/srv/site")
        );
        assert_eq!(
            folder("./node_modules/.bin/serve -n out").as_deref(),
            Some("out")
        );
        assert_eq!(
            folder("http-server ./public -p 8080").as_deref(),
            Some("./public")
        );
    }

    #[test]
    fn no_folder_or_unknown_options_are_refused() {
        assert!(folder("npx serve -s").is_none());
        assert!(folder("serve").is_none());
        assert!(folder("serve -s .").is_none());
        assert!(folder("serve ../other").is_none());
        assert!(folder("serve -c serve.json build").is_none());
        assert!(folder("serve --frobnicate x build").is_none());
        assert!(folder("serve build dist").is_none());
        assert!(folder("serve $OUT").is_none());
        assert!(folder("http-server -p 8080 dist").is_none());
        assert!(folder("npm start").is_none());
        assert!(folder("npx -p serve serve build").is_none());
    }
}
