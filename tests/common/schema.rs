//! The JSON contract as the tests see it: docs/schema/*.schema.json loaded
//! once, and [`assert_valid`] for every JSON document a test produces. Each
//! call counts; a suite prints [`validated`] so the figure can be quoted.
//!
//! Owns: loading and compiling the schemas (their `$ref`s between files
//! resolve to the committed files, never to the network). Must not: know
//! any field name (they live in the schema files).

use serde_json::Value;
use std::collections::BTreeMap;
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
}

impl Doc {
    /// Every document type.
    pub const ALL: [Doc; 5] = [
        Doc::Reading,
        Doc::Advise,
        Doc::WatchEvent,
        Doc::Error,
        Doc::Readers,
    ];

    /// Its schema file name in docs/schema/.
    pub fn file(self) -> &'static str {
        match self {
            Doc::Reading => "reading.schema.json",
            Doc::Advise => "advise.schema.json",
            Doc::WatchEvent => "watch-event.schema.json",
            Doc::Error => "error.schema.json",
            Doc::Readers => "readers.schema.json",
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
