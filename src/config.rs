//! User settings: command-line flags merged over `dockfix.toml`.

use std::collections::BTreeMap;

/// Settings that decide which transforms run and how.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Transform ids to run; `None` means all of them.
    pub select: Option<Vec<String>>,
    /// Transform ids never to run.
    pub ignore: Vec<String>,
    /// Apply unsafe fixes too.
    pub allow_unsafe: bool,
    /// Per-transform options (`[transforms.<id>]` tables of `dockfix.toml`).
    pub options: BTreeMap<String, toml::Table>,
}

impl Settings {
    /// Options of one transform (empty when none are set).
    pub fn options_for(&self, id: &str) -> Option<&toml::Table> {
        self.options.get(id)
    }
}
