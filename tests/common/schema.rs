//! The JSON contract as the tests see it: docs/schema/*.schema.json loaded
//! once, and [`assert_valid`] for every JSON document a test produces. Each
//! call counts; a suite prints [`validated`] so the figure can be quoted.
//!
//! Owns: loading and compiling the schemas (their `$ref`s between files
//! resolve to the committed files, never to the network). Must not: know
//! any field name (they live in the schema files).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The `$id` prefix of every schema file (a reserved domain: nothing is
/// fetched from it; the files are registered under it).
pub const BASE: &str = "https://jpki-status.invalid/schema/";

/// The document types, one schema file each.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Doc {
    /// `jpki-status --json` after a reading.
    Reading,
    /// `jpki-status advise --json`.
    Advise,
    /// One line of `--watch --json`.
    WatchEvent,
    /// Any error document under `--json`.
    Error,
    /// `jpki-status readers --json`.
    Readers,
    /// Desk API: one reader's panel (SSE `panel`, POST /api/answer).
    DeskPanel,
    /// Desk API: GET /api/panels.
    DeskPanels,
    /// Desk API: the SSE `service` event.
    DeskService,
    /// Desk API: the SSE `reset` event.
    DeskReset,
    /// Desk API: POST /api/answer's body.
    DeskAnswerRequest,
    /// Desk API: any error response.
    DeskError,
}

impl Doc {
    /// Every document type of the command line (each has goldens).
    pub const ALL: [Doc; 5] = [
        Doc::Reading,
        Doc::Advise,
        Doc::WatchEvent,
        Doc::Error,
        Doc::Readers,
    ];

    /// Every document type of the desk API (tests/desk_api.rs fetches them
    /// from a running `jpki-status desk --sim`).
    pub const DESK: [Doc; 6] = [
        Doc::DeskPanel,
        Doc::DeskPanels,
        Doc::DeskService,
        Doc::DeskReset,
        Doc::DeskAnswerRequest,
        Doc::DeskError,
    ];

    /// Its schema file name in docs/schema/.
    pub fn file(self) -> &'static str {
        match self {
            Doc::Reading => "reading.schema.json",
            Doc::Advise => "advise.schema.json",
            Doc::WatchEvent => "watch-event.schema.json",
            Doc::Error => "error.schema.json",
            Doc::Readers => "readers.schema.json",
            Doc::DeskPanel => "desk-panel.schema.json",
            Doc::DeskPanels => "desk-panels.schema.json",
            Doc::DeskService => "desk-service.schema.json",
            Doc::DeskReset => "desk-reset.schema.json",
            Doc::DeskAnswerRequest => "desk-answer-request.schema.json",
            Doc::DeskError => "desk-error.schema.json",
        }
    }

    /// The type of a whole `--json` stdout document of a command whose
    /// arguments are `args` (an error document is always [`Doc::Error`]).
    pub fn of_stdout(args: &[&str], doc: &Value) -> Doc {
        if doc.get("error").is_some() && doc.get("type").is_none() {
            Doc::Error
        } else if args.contains(&"--watch") {
            Doc::WatchEvent
        } else if args.contains(&"advise") {
            Doc::Advise
        } else if args.contains(&"readers") {
            Doc::Readers
        } else {
            Doc::Reading
        }
    }
}

static VALIDATED: AtomicUsize = AtomicUsize::new(0);

/// Every schema file in docs/schema/, by file name.
pub fn schema_files() -> &'static BTreeMap<String, Value> {
    static FILES: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = super::repo().join("docs/schema");
        std::fs::read_dir(&dir)
            .expect("docs/schema")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".schema.json"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("schema readable");
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                (name, value)
            })
            .collect()
    })
}

fn validators() -> &'static BTreeMap<Doc, jsonschema::Validator> {
    static VALIDATORS: OnceLock<BTreeMap<Doc, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let files = schema_files();
        Doc::ALL
            .iter()
            .chain(&Doc::DESK)
            .map(|&doc| {
                let mut options = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true);
                for (name, value) in files {
                    options = options.with_resource(
                        format!("{BASE}{name}"),
                        jsonschema::Resource::from_contents(value.clone()),
                    );
                }
                let schema = files
                    .get(doc.file())
                    .unwrap_or_else(|| panic!("docs/schema/{} is missing", doc.file()));
                let validator = options
                    .build(schema)
                    .unwrap_or_else(|e| panic!("docs/schema/{} does not compile: {e}", doc.file()));
                (doc, validator)
            })
            .collect()
    })
}

/// Checks `value` against its schema. The error names the schema file, the
/// place in the document and what is wrong, and says where `what` (the
/// golden file or the command) came from.
pub fn check(doc: Doc, value: &Value, what: &str) -> Result<(), String> {
    let errors: Vec<String> = validators()[&doc]
        .iter_errors(value)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        VALIDATED.fetch_add(1, Ordering::Relaxed);
        Ok(())
    } else {
        Err(format!(
            "{what} does not match docs/schema/{} (update the schema and docs/json.md \
             if the output change is intended):\n{}",
            doc.file(),
            errors.join("\n")
        ))
    }
}

/// Panics unless `value` matches its schema ([`check`]).
pub fn assert_valid(doc: Doc, value: &Value, what: &str) {
    if let Err(e) = check(doc, value, what) {
        panic!("{e}");
    }
}

/// Validates every document of a command's stdout: one pretty document, or
/// JSON Lines for `--watch`. Returns the documents.
pub fn assert_stdout_valid(args: &[&str], stdout: &str, what: &str) -> Vec<(Doc, Value)> {
    let docs: Vec<Value> = if args.contains(&"--watch") {
        stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{what}: a line is not JSON ({e}): {l}"))
            })
            .collect()
    } else {
        vec![serde_json::from_str(stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not one JSON document ({e})"))]
    };
    docs.into_iter()
        .map(|v| {
            let doc = Doc::of_stdout(args, &v);
            assert_valid(doc, &v, what);
            (doc, v)
        })
        .collect()
}

/// How many documents passed in this test process.
pub fn validated() -> usize {
    VALIDATED.load(Ordering::Relaxed)
}

/// Where each property is declared: instance path (`.advice.keys[].input`)
/// to the declaration sites (`advice.schema.json#/$defs/key_advice/properties/input`),
/// following `$ref` across files and `allOf`/`anyOf`/`oneOf`.
pub type Sites = BTreeMap<String, BTreeSet<String>>;

pub fn schema_sites(
    files: &BTreeMap<String, Value>,
    at: (&str, &str),
    path: &str,
    out: &mut Sites,
    depth: usize,
) {
    schema_sites_in(files, at, path, out, depth, &mut Vec::new());
}

/// [`schema_sites`], with the `$ref` targets being walked on this path.
fn schema_sites_in(
    files: &BTreeMap<String, Value>,
    (file, pointer): (&str, &str),
    path: &str,
    out: &mut Sites,
    depth: usize,
    walking: &mut Vec<String>,
) {
    assert!(depth < 40, "schema nesting too deep at {path} in {file}");
    let node = files[file]
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{file}#{pointer} does not exist"));
    let Some(obj) = node.as_object() else {
        return;
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        let (target_file, target) = r.split_once('#').unwrap_or((r, ""));
        let target_file = if target_file.is_empty() {
            file
        } else {
            assert!(
                files.contains_key(target_file),
                "{file}: $ref to unknown file {r}"
            );
            target_file
        };
        // A recursive definition (a branch's `then` holds branches) is
        // declared once, at its first level: a `$ref` back to a definition
        // already being walked on this path adds no new declaration site.
        let marker = format!("{target_file}#{target}");
        if walking.contains(&marker) {
            return;
        }
        walking.push(marker);
        schema_sites_in(files, (target_file, target), path, out, depth + 1, walking);
        walking.pop();
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let n = obj.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        for i in 0..n {
            let sub = format!("{pointer}/{key}/{i}");
            schema_sites_in(files, (file, &sub), path, out, depth + 1, walking);
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            if sub == &Value::Bool(false) {
                continue;
            }
            let p = format!("{path}.{name}");
            let site = format!("{pointer}/properties/{name}");
            out.entry(p.clone())
                .or_default()
                .insert(format!("{file}#{site}"));
            schema_sites_in(files, (file, &site), &p, out, depth + 1, walking);
        }
    }
    if obj.contains_key("items") {
        let sub = format!("{pointer}/items");
        schema_sites_in(
            files,
            (file, &sub),
            &format!("{path}[]"),
            out,
            depth + 1,
            walking,
        );
    }
}

/// Property paths present in a document.
pub fn document_paths(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{path}.{k}");
                out.insert(p.clone());
                document_paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                document_paths(v, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// For the document types `types`: how many property declarations their
/// schemas hold in the files whose name starts with `in_files` ("" for
/// all), how many of them `docs` produce, and the declaration sites no
/// document produces (`docs/schema/FILE#/pointer`). A schema cannot
/// describe fields that no longer exist.
pub fn coverage(
    types: &[Doc],
    docs: &[(Doc, Value)],
    in_files: &str,
) -> (usize, usize, Vec<String>) {
    let files = schema_files();
    let mut declared = BTreeSet::new();
    let mut covered = BTreeSet::new();
    for &doc in types {
        let mut sites = Sites::new();
        schema_sites(files, (doc.file(), ""), "", &mut sites, 0);
        assert!(!sites.is_empty(), "{} declares nothing", doc.file());
        let mut produced = BTreeSet::new();
        for (_, v) in docs.iter().filter(|(d, _)| *d == doc) {
            document_paths(v, "", &mut produced);
        }
        for (path, at) in &sites {
            let at: Vec<String> = at
                .iter()
                .filter(|s| s.starts_with(in_files))
                .cloned()
                .collect();
            declared.extend(at.iter().cloned());
            if produced.contains(path) {
                covered.extend(at.iter().cloned());
            }
        }
    }
    let missing = declared
        .difference(&covered)
        .map(|site| format!("docs/schema/{site}"))
        .collect();
    (declared.len(), covered.len(), missing)
}

/// Every object key at every depth of `value`, as (parent pointer, key).
pub fn key_pointers(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push((pointer.to_string(), k.clone()));
                key_pointers(v, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                key_pointers(v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// How many keys a document has, at every depth.
pub fn key_count(value: &Value) -> usize {
    let mut keys = Vec::new();
    key_pointers(value, "", &mut keys);
    keys.len()
}

/// The strictness that makes a renamed field fail: renaming any single key
/// of `sample`, anywhere, breaks its validation against `doc`'s schema.
/// Returns how many renames were tried.
pub fn every_rename_is_rejected(doc: Doc, sample: &Value, what: &str) -> usize {
    let mut keys = Vec::new();
    key_pointers(sample, "", &mut keys);
    for (pointer, key) in &keys {
        let mut renamed = sample.clone();
        let parent = renamed
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .expect("parent object");
        let v = parent.remove(key).expect("key");
        parent.insert(format!("{key}_renamed"), v);
        assert!(
            check(doc, &renamed, what).is_err(),
            "{what}: renaming {pointer}/{key} still matches docs/schema/{}: \
             the schema is not strict there",
            doc.file()
        );
    }
    keys.len()
}
