//! The module layering, tested (docs/architecture.md, "Layers"): every
//! module has a rank and refers only to modules of its rank or lower
//! ([`RANKS`]), the pure advice engine uses no UI module, and no module of
//! src/ refers back to a module that refers to it (no import loops).
//!
//! A module here is a file of src/, or a directory of src/ taken as one
//! (e.g. `advice::engine` with its files); `advice` itself is split into its
//! modules, and a name re-exported by advice/mod.rs counts as its module's.
//! References are the `crate::` and `super::` paths in code (comments
//! skipped), in `use` lines and in expressions alike.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/advice/engine/rules.rs` →
/// `["advice", "engine", "rules"]`; `mod.rs` and `lib.rs` name their
/// directory.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The node a module belongs to: `advice::X` for the advice's modules,
/// otherwise the first component.
fn node(module: &[String]) -> String {
    match module {
        [] => "crate".into(),
        [a, b, ..] if a == "advice" => format!("advice::{b}"),
        [a, ..] => a.clone(),
    }
}

/// Code without comments, as one string per line.
fn code_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or("").to_string())
        .collect()
}

/// Every `crate::a::b` / `super::a` path in `code`, resolved against the
/// module `here`, as module paths (identifiers only, braces stop a path).
fn references(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
        let rest: String = bytes[i..].iter().take(7).collect();
        if starts_word && (rest.starts_with("crate::") || rest.starts_with("super::")) {
            let mut j = i;
            let mut segs: Vec<String> = Vec::new();
            loop {
                let start = j;
                while j < bytes.len() && (bytes[j].is_alphanumeric() || bytes[j] == '_') {
                    j += 1;
                }
                segs.push(bytes[start..j].iter().collect());
                if bytes.get(j) == Some(&':') && bytes.get(j + 1) == Some(&':') {
                    j += 2;
                } else {
                    break;
                }
            }
            // `a::{b, c::d}`: one reference per item (its first segment).
            let mut items: Vec<String> = vec![String::new()];
            if bytes.get(j) == Some(&'{') {
                let mut depth = 0;
                let mut k = j;
                items.clear();
                let mut item = String::new();
                while k < bytes.len() {
                    match bytes[k] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                        c if depth == 1 => item.push(c),
                        _ => {}
                    }
                    k += 1;
                }
                items.push(item);
                j = k;
            }
            segs.retain(|s| !s.is_empty());
            for item in items {
                let first: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let mut path = segs.clone();
                if !first.is_empty() && first != "self" {
                    path.push(first);
                }
                out.push(absolute(&path, here));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// `path` (possibly starting with `crate` or `super`) as seen from `here`.
fn absolute(path: &[String], here: &[String]) -> Vec<String> {
    let mut base: Vec<String> = here.to_vec();
    let mut rest = path;
    if rest.first().map(String::as_str) == Some("crate") {
        base.clear();
        rest = &rest[1..];
    }
    while rest.first().map(String::as_str) == Some("super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    base
}

/// The longest prefix of `path` that is a module file, with names
/// re-exported by advice/mod.rs resolved to their module.
fn resolve(path: &[String], reexports: &BTreeMap<String, String>) -> Vec<String> {
    let exists = |p: &[String]| {
        let joined = p.join("/");
        p.is_empty()
            || src().join(format!("{joined}.rs")).is_file()
            || src().join(&joined).join("mod.rs").is_file()
    };
    let mut n = path.len();
    while n > 0 && !exists(&path[..n]) {
        n -= 1;
    }
    let mut m = path[..n].to_vec();
    if m == ["advice"] {
        if let Some(target) = path.get(1).and_then(|name| reexports.get(name)) {
            m.push(target.clone());
        }
    }
    m
}

/// Names re-exported by advice/mod.rs (`pub use engine::{advise, ..}`), by
/// the module that defines them.
fn advice_reexports() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(src().join("advice/mod.rs")).expect("advice/mod.rs");
    let mut out = BTreeMap::new();
    let code = code_lines(&text).join("\n");
    for stmt in code.split(';') {
        // `pub use` possibly after attributes (`#[cfg_attr(..)]`).
        let Some(rest) = stmt
            .find("pub use ")
            .map(|at| &stmt[at + "pub use ".len()..])
        else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|s| !s.is_empty())
        {
            out.insert(name.to_string(), module.trim().to_string());
        }
    }
    out
}

/// Edges between nodes, each with one line that makes it.
fn graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let reexports = advice_reexports();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let here = module_of(&file);
        let from = node(&here);
        // The facade only re-exports; lib.rs and main.rs only declare.
        if matches!(from.as_str(), "advice" | "crate" | "bin") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        for (i, line) in code_lines(&text).iter().enumerate() {
            for r in references(line, &here) {
                let to = node(&resolve(&r, &reexports));
                // `use super::*` in a file's own `mod tests` names the file
                // itself; the scan takes it for the facade `advice`.
                let own_tests = to == "advice" && from.starts_with("advice::");
                if to != from && to != "crate" && !own_tests {
                    edges
                        .entry(from.clone())
                        .or_default()
                        .entry(to)
                        .or_insert_with(|| {
                            format!("{}:{}: {}", file.display(), i + 1, line.trim())
                        });
                }
            }
        }
    }
    edges
}

#[test]
fn the_pure_engine_uses_no_ui_module() {
    let ui = ["advice::wording", "cli", "present", "slip", "site", "watch"];
    let edges = graph();
    let engine = edges
        .get("advice::engine")
        .expect("the engine refers to something");
    let offenders: Vec<&String> = ui.iter().filter_map(|u| engine.get(*u)).collect();
    assert!(
        offenders.is_empty(),
        "advice/engine uses a UI module:\n{offenders:#?}"
    );
    // The scan itself sees the engine's real dependencies.
    assert!(engine.contains_key("advice::facts") && engine.contains_key("advice::msg"));
}

/// Loops that landed before this test, each to be removed by its owner:
/// the edge named here is left out of the search, and the test fails once
/// the loop is gone so that the entry goes too. None left: the last one,
/// `help` ↔ `cli`, ended when the Japanese help moved into `cli` as
/// `cli/help_ja.rs` (issue 12).
const KNOWN_LOOPS: &[(&str, &str)] = &[];

#[test]
fn no_module_refers_back_to_a_module_that_refers_to_it() {
    let mut edges = graph();
    for (from, to) in KNOWN_LOOPS {
        let back = edges.get(*to).is_some_and(|m| m.contains_key(*from));
        let removed = edges.get_mut(*from).and_then(|m| m.remove(*to));
        assert!(
            removed.is_some() && back,
            "the known loop {from} ↔ {to} is gone: remove it from KNOWN_LOOPS"
        );
    }
    // Depth-first search for a cycle, reporting its path with the lines.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[pos..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in edges.get(n).into_iter().flat_map(|m| m.keys()) {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        if let Some(cycle) = visit(n, &edges, &mut Vec::new(), &mut done) {
            let lines: Vec<&String> = cycle
                .windows(2)
                .filter_map(|w| edges.get(&w[0]).and_then(|m| m.get(&w[1])))
                .collect();
            panic!("import loop {}:\n{lines:#?}", cycle.join(" → "));
        }
    }
    // The scan sees real edges (a scan that finds nothing proves nothing).
    assert!(edges
        .get("present")
        .is_some_and(|m| m.contains_key("advice::wording")));
    assert!(edges
        .get("cli")
        .is_some_and(|m| m.contains_key("advice::engine")));
}

/// Every module's rank, lowest first: a module refers only to modules of
/// its own rank or below (same rank: the loop test above keeps it one way).
/// A new module gets a row here; a reference upward fails with its line.
/// Test code inside a file counts too (the backends' test doubles, `sim`,
/// sit below `probe` so the reading's own tests may use them).
const RANKS: &[(&str, u8)] = &[
    // Words and time, used by everything.
    ("lang", 0),
    ("japan_time", 1),
    ("holidays", 1),
    // The card's protocol and layout, and what a person typed.
    ("apdu", 1),
    ("card", 2),
    ("exit", 2),
    ("failure", 2),
    ("input", 2),
    // The seam and what a reading finds.
    ("transport", 3),
    ("report", 3),
    // Behind the seam: the real path and the test equipment.
    ("pcsc_backend", 4),
    ("sim", 4),
    ("transcript", 4),
    ("vpcd", 5),
    // Reading.
    ("probe", 5),
    ("session", 6),
    ("watch", 7),
    // The pure advice engine, its model and words.
    ("advice::facts", 7),
    ("advice::model", 8),
    ("advice::msg", 9),
    ("advice::vocab", 9),
    ("advice::decision", 10),
    ("advice::engine", 11),
    ("advice::wording", 12),
    // What people see: the presentation layer (PIN table, advice page,
    // questions, error texts).
    ("present", 13),
    ("site", 13),
    ("slip_file", 13),
    ("slip", 14),
    // Front ends.
    ("embed", 14),
    ("desk", 15),
    ("cli", 16),
    // Unit tests across modules.
    ("name_tests", 17),
];

#[test]
fn no_module_refers_to_a_module_ranked_above_it() {
    let rank = |n: &str| RANKS.iter().find(|(m, _)| *m == n).map(|(_, r)| *r);
    let edges = graph();
    let mut unranked = BTreeSet::new();
    let mut upward = Vec::new();
    for (from, tos) in &edges {
        let Some(rf) = rank(from) else {
            unranked.insert(from.clone());
            continue;
        };
        for (to, line) in tos {
            match rank(to) {
                None => {
                    unranked.insert(to.clone());
                }
                Some(rt) if rt > rf => upward.push(format!("{from} ({rf}) → {to} ({rt}): {line}")),
                Some(_) => {}
            }
        }
    }
    assert!(
        unranked.is_empty(),
        "modules without a rank in tests/layering.rs RANKS: {unranked:?}"
    );
    assert!(upward.is_empty(), "references upward:\n{upward:#?}");
    // The scan sees the lowest and the highest rank.
    assert!(edges.get("cli").is_some_and(|m| m.contains_key("session")));
}
