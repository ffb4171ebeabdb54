//! The runtime configuration of two images (`docker image inspect`'s
//! `.Config`) compared field by field.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// The fields of an image's configuration that decide how its containers
/// run. `Image`, `Hostname` and the like describe the build, not the image.
pub const COMPARED_FIELDS: &[&str] = &[
    "Env",
    "Cmd",
    "Entrypoint",
    "User",
    "WorkingDir",
    "ExposedPorts",
    "Volumes",
    "Labels",
    "Healthcheck",
    "Shell",
    "StopSignal",
    "OnBuild",
];

/// Labels `dockfix verify` puts on both images (to find and remove them):
/// never a difference.
pub const OWN_LABEL_PREFIX: &str = "dockfix.verify";

/// One difference. For `Env` and `Labels` each variable or label is its
/// own change (`NAME=value`); other fields are shown whole, as JSON
/// unless they are a plain string. `None` is unset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Compares the [`COMPARED_FIELDS`] of two `.Config` objects. A missing
/// field, `null`, `""`, `[]` and `{}` all mean unset: engines and builders
/// write an unset field any of these ways.
pub fn diff(before: &Value, after: &Value) -> Vec<ConfigChange> {
    let mut changes = Vec::new();
    for &field in COMPARED_FIELDS {
        let old = set_value(before.get(field));
        let new = set_value(after.get(field));
        match field {
            "Env" => changes.extend(keyed_diff(field, env_map(old), env_map(new))),
            "Labels" => changes.extend(keyed_diff(field, label_map(old), label_map(new))),
            _ if old != new => changes.push(ConfigChange {
                field: field.to_string(),
                before: old.map(render),
                after: new.map(render),
            }),
            _ => {}
        }
    }
    changes
}

fn set_value(value: Option<&Value>) -> Option<&Value> {
    value.filter(|value| match value {
        Value::Null => false,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    })
}

fn render(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `Env` is a list of `NAME=value`; a later entry for a name wins, as in
/// the engine.
fn env_map(value: Option<&Value>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for item in value.and_then(Value::as_array).into_iter().flatten() {
        let text = render(item);
        let name = text.split_once('=').map_or(text.as_str(), |(name, _)| name);
        map.insert(name.to_string(), text.clone());
    }
    map
}

fn label_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| !name.starts_with(OWN_LABEL_PREFIX))
        .map(|(name, value)| (name.clone(), format!("{name}={}", render(value))))
        .collect()
}

fn keyed_diff(
    field: &str,
    before: BTreeMap<String, String>,
    after: BTreeMap<String, String>,
) -> Vec<ConfigChange> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| ConfigChange {
            field: field.to_string(),
            before: before.get(name).cloned(),
            after: after.get(name).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identical_configs_and_unset_spellings_have_no_changes() {
        let config = json!({"Env": ["PATH=/usr/bin"], "Cmd": ["node", "app.js"], "User": ""});
        assert_eq!(diff(&config, &config.clone()), []);
        let unset =
            json!({"Volumes": null, "Labels": {}, "OnBuild": [], "User": "", "Shell": null});
        assert_eq!(diff(&unset, &json!({})), []);
    }

    #[test]
    fn each_changed_field_is_listed() {
        let before = json!({
            "User": "", "Cmd": ["node", "app.js"], "WorkingDir": "/app",
            "ExposedPorts": {"3000/tcp": {}}, "Image": "sha256:aaa", "Hostname": "x"
        });
        let after = json!({
            "User": "nonroot", "Cmd": ["/app/server"], "WorkingDir": "/app",
            "ExposedPorts": {"3000/tcp": {}}, "Image": "sha256:bbb", "Hostname": "y"
        });
        assert_eq!(
            diff(&before, &after),
            [
                ConfigChange {
                    field: "Cmd".into(),
                    before: Some(r#"["node","app.js"]"#.into()),
                    after: Some(r#"["/app/server"]"#.into()),
                },
                ConfigChange {
                    field: "User".into(),
                    before: None,
                    after: Some("nonroot".into()),
                },
            ]
        );
    }

    #[test]
    fn env_and_labels_compare_per_name_and_ignore_own_labels() {
        let before = json!({
            "Env": ["PATH=/usr/bin", "A=1", "B=2"],
            "Labels": {"dockfix.verify": "run1", "team": "x"}
        });
        let after = json!({
            "Env": ["B=2", "PATH=/usr/bin", "A=3", "C=4"],
            "Labels": {"dockfix.verify": "run2", "team": "x", "extra": "y"}
        });
        let changes = diff(&before, &after);
        let text: Vec<String> = changes
            .iter()
            .map(|change| format!("{} {:?} {:?}", change.field, change.before, change.after))
            .collect();
        assert_eq!(
            text,
            [
                r#"Env Some("A=1") Some("A=3")"#,
                r#"Env None Some("C=4")"#,
                r#"Labels None Some("extra=y")"#,
            ]
        );
    }
}
