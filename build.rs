//! Build script: gives the Windows `jpki-status.exe` a version resource
//! (file properties show the product, version and description), so a help
//! desk can tell which build it has. Does nothing for other targets.
//!
//! Owns: the Windows resource only. Must not: generate code or read the
//! environment beyond Cargo's own variables.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows::resource();
    }
}

mod windows {
    /// Compiles the version resource with the MinGW or MSVC resource compiler
    /// (winresource finds `x86_64-w64-mingw32-windres` when cross-building).
    pub fn resource() {
        let mut res = winresource::WindowsResource::new();
        res.set("ProductName", "jpki-status")
            .set("FileDescription", "My Number Card PIN tries (jpki-status)")
            .set("LegalCopyright", "MIT OR Apache-2.0")
            .set_language(0x0411); // ja-JP: the desks this build is for
        if let Err(e) = res.compile() {
            // A missing resource compiler must not pass silently: the
            // packaging script checks the resource, but say why here.
            eprintln!("Windows version resource: {e} (install gcc-mingw-w64-x86-64, which brings windres)");
            std::process::exit(1);
        }
    }
}
