//! Java: the jar, run by a JRE of the JDK's version.

use super::*;
use crate::paths::last_component;

/// `maven:3.9-eclipse-temurin-21` → 21, `gradle:8.5-jdk17` → 17,
/// `eclipse-temurin:21-jdk` → 21.
pub(super) fn java_version(image: &ImageRef) -> Option<String> {
    let tag = image.tag.as_deref()?;
    let words: Vec<&str> = tag.split('-').collect();
    for (i, word) in words.iter().enumerate() {
        if matches!(*word, "temurin" | "openjdk" | "corretto")
            && let Some(next) = words
                .get(i + 1)
                .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(next.to_string());
        }
        if let Some(version) = word
            .strip_prefix("jdk")
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(version.to_string());
        }
    }
    if matches!(image.repository().as_str(), "eclipse-temurin" | "openjdk") {
        let major: String = words[0]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        return (!major.is_empty()).then_some(major);
    }
    None
}

pub(super) fn java<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    runtime: &Runtime,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let builds = commands_of(file, stage)
        .into_iter()
        .filter(|(_, _, script)| {
            script.simple_commands().iter().any(|(command, _)| {
                let Some(words) = command.literal_words() else {
                    return false;
                };
                let program = words.first().map(|p| last_component(p)).unwrap_or_default();
                matches!(program, "mvn" | "mvnw" | "gradle" | "gradlew")
                    && words.iter().any(|w| {
                        matches!(
                            w.as_str(),
                            "package" | "install" | "verify" | "build" | "bootJar" | "assemble"
                        )
                    })
            })
        })
        .count();
    if builds == 0 {
        return Err("no Maven or Gradle build step".into());
    }
    let version = java_version(image).ok_or("the Java version of the builder is not known")?;
    let command = final_command(stage);
    let jar = command
        .iter()
        .position(|w| w == "-jar")
        .and_then(|i| command.get(i + 1))
        .ok_or("the CMD/ENTRYPOINT runs no `java -jar FILE`")?;
    if jar.contains(['$', '*']) {
        return Err("the jar path uses a variable or a glob".into());
    }
    let dir = known_dir(stage, stage.body.len())?;
    let jar = absolute(&dir, jar);
    check_healthcheck_tools(stage)?;
    let runtime_image = runtime.image.replace("{java}", &version);
    Ok(Split {
        stage,
        ecosystem: "Java",
        runtime_image,
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(jar.clone(), jar)],
        runtime_lines: Vec::new(),
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: false,
        non_root_user: None,
        left_behind: "the JDK, Maven/Gradle and their caches, the sources".into(),
    })
}
