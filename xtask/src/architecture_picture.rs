//! ARCHITECTURE.md opens with a picture of the folders: a newcomer's first map of the code. These
//! tests keep the picture and the tree in step, so a folder added without its line (or a line
//! left behind by a folder that is gone) fails the test run rather than misleading a reader.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The folders whose every sub-folder the picture names.
const MAPPED: [&str; 7] = [
    "",
    "src",
    "src/pages",
    "src/pages/management",
    "api/src",
    "server/src",
    "xtask/src",
];

/// Build output and installed tools, which a checkout may hold but the picture does not map.
const NOT_SOURCE: [&str; 3] = ["target", "dist", "node_modules"];

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one folder below the repository root")
        .to_path_buf()
}

/// The first fenced block of `markdown`: the picture.
fn picture(markdown: &str) -> &str {
    let mut blocks = markdown.split("```");
    blocks.next();
    blocks.next().unwrap_or("")
}

/// Every folder name the picture draws: the parts of a path before a `/`, with a `{a,b}` group
/// standing for each of its names (`management/{users,audit}/` names `management`, `users` and
/// `audit`).
fn folders_drawn(picture: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for token in picture.split_whitespace() {
        let mut parts: Vec<&str> = token.split('/').collect();
        // What follows the last `/` is a file or the end of the path, not a folder.
        parts.pop();
        for part in parts {
            names.extend(names_in(part));
        }
    }
    names
}

/// The folder names of one part of a path: itself, or each name of a `{a,b}` group; without the
/// punctuation of the prose around it (`(common` → `common`).
fn names_in(part: &str) -> Vec<String> {
    part.trim_matches(|c: char| !c.is_alphanumeric() && !"_-{},".contains(c))
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(',')
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// The folders a token ending in `/` draws as folders of their own: its last part (`pages/` →
/// `pages`; `management/{users,audit}/` → `users`, `audit`).
fn folders_listed(picture: &str) -> Vec<String> {
    picture
        .split_whitespace()
        .filter(|token| token.ends_with('/'))
        .flat_map(|token| names_in(token.trim_end_matches('/').rsplit('/').next().unwrap_or("")))
        .collect()
}

fn is_source_folder(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    path.is_dir() && !name.starts_with('.') && !NOT_SOURCE.contains(&name)
}

fn sub_folders(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| is_source_folder(path))
        .filter_map(|path| path.file_name()?.to_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The name of every source folder at any depth.
fn every_folder(root: &Path, names: &mut BTreeSet<String>) {
    for name in sub_folders(root) {
        every_folder(&root.join(&name), names);
        names.insert(name);
    }
}

fn architecture_picture() -> String {
    let path = repository_root().join("ARCHITECTURE.md");
    let markdown = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    picture(&markdown).to_string()
}

#[test]
fn the_picture_names_every_folder_of_the_mapped_parts() {
    let root = repository_root();
    let drawn = folders_drawn(&architecture_picture());
    let missing: Vec<String> = MAPPED
        .iter()
        .flat_map(|mapped| {
            sub_folders(&root.join(mapped))
                .into_iter()
                .filter(|name| !drawn.contains(name))
                .map(move |name| {
                    format!("{mapped}/{name}")
                        .trim_start_matches('/')
                        .to_string()
                })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's picture does not show {missing:?}"
    );
}

#[test]
fn every_folder_the_picture_lists_exists() {
    let mut existing = BTreeSet::new();
    every_folder(&repository_root(), &mut existing);
    let gone: Vec<String> = folders_listed(&architecture_picture())
        .into_iter()
        .filter(|name| !existing.contains(name))
        .collect();
    assert!(
        gone.is_empty(),
        "ARCHITECTURE.md's picture lists folders the tree does not have: {gone:?}"
    );
}

#[test]
fn a_folder_group_names_each_of_its_folders() {
    let drawn =
        folders_drawn("    management/{users,audit}/   list and (docs/x.md)\nstyle/main.css");
    let expected = ["audit", "docs", "management", "style", "users"];
    assert_eq!(drawn, expected.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        folders_listed("  management/{users,audit}/  leads/  docs/x.md (common/ helpers)"),
        ["users", "audit", "leads", "common"]
    );
}
