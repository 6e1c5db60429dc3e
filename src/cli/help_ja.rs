//! The command line in the user's language: the language decided before the
//! arguments are parsed, Japanese help for every option and subcommand, and
//! argument errors in Japanese.
//!
//! Owns: the Japanese words of the clap definition (a table keyed by
//! argument id, applied to the English `Cli::command()`), and rendering
//! clap's error kinds in Japanese. Must not: define options (that is
//! `cli` and `cli::advise`), or change what parses: only words change, so
//! both languages accept exactly the same command lines.

use super::Cli;
use crate::advice::vocab;
use crate::card::KeyId;
use crate::exit::Exit;
use crate::lang::Lang;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches, Parser};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// The language for a command line, before clap has parsed it: the same
/// order as [`crate::cli::language`] (`--lang`, `JPKI_STATUS_LANG`, the site
/// file, the locale), with `--lang` and `--site` found by a plain scan.
pub fn lang_before_parsing(args: &[OsString]) -> Lang {
    let mut flag = None;
    let mut site = None;
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            flag = Lang::from_tag(v).or(flag);
        } else if a == "--lang" {
            flag = it.next().and_then(|v| Lang::from_tag(&v)).or(flag);
        } else if let Some(v) = a.strip_prefix("--site=") {
            site = Some(PathBuf::from(v));
        } else if a == "--site" {
            site = it.next().map(|v| PathBuf::from(v.as_ref()));
        }
    }
    super::language(flag, site.as_deref())
}

/// Why [`parse`] gave no [`Cli`] to run.
#[derive(Debug)]
pub enum Refused {
    /// clap refused the line, or it asked for `--help`/`--version`: for
    /// `cli::report_usage_error`, which writes it in the language.
    Clap(clap::Error),
    /// `jpki-status help [COMMAND]` in Japanese: already printed.
    Done(Exit),
}

/// Parses `args` with the help and errors in `lang`.
pub fn parse(lang: Lang, args: &[OsString]) -> Result<Cli, Refused> {
    // Breaking the Japanese help into lines is most of a run's own work in
    // Japanese (textwrap's Unicode line breaking over every help text:
    // about 17 million instructions, 1.2 ms of CPU, against 1.3 million
    // for all the rest of a reading): so the line is parsed with the texts
    // unbroken, and only a run that shows the help is parsed again with
    // them broken and the exit-code footer added (that footer alone was
    // 93,000 instructions of every English run).
    // Only help shows these texts; usage lines and errors do not use them.
    // Most lines are a reading with options: parsed without building the
    // subcommands (or any words) first; anything else, as before.
    if let Ok(reading) = super::args::ReadingCli::try_parse_from(args) {
        return Ok(reading.into());
    }
    let matches = match words(lang, Wrap::No).try_get_matches_from(args) {
        Err(e) if shows_help(e.kind()) => {
            command(lang).try_get_matches_from(args)
        }
        parsed => parsed,
    }
    .map_err(Refused::Clap)?;
    // `jpki-status help [COMMAND]`, our own in Japanese (clap's is English).
    if let Some(("help", h)) = matches.subcommand() {
        let mut cmd = command(lang);
        let mut target = &mut cmd;
        for name in h.get_many::<String>("command").into_iter().flatten() {
            match target.find_subcommand_mut(name) {
                Some(sub) => target = sub,
                None => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "jpki-status: エラー: 「{name}」というコマンドはありません（使えるのは readers、profiles、advise、desk です）"
                    );
                    return Err(Refused::Done(Exit::Usage));
                }
            }
        }
        let _ = target.print_long_help();
        return Err(Refused::Done(Exit::Healthy));
    }
    Cli::from_arg_matches(&matches).map_err(Refused::Clap)
}

/// The clap definition with its words in `lang`.
pub fn command(lang: Lang) -> Command {
    words(lang, Wrap::Yes)
}

/// Whether the Japanese words are for a help page (`Yes`: texts broken
/// into lines with [`wrap_ja`], arguments in the page's order) or only for
/// parsing and errors (`No`), which use neither.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrap {
    Yes,
    No,
}

/// The error kinds that print a help page (built from the help texts).
fn shows_help(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    )
}

fn words(lang: Lang, wrap: Wrap) -> Command {
    let cmd = Cli::command();
    let cmd = match lang {
        Lang::En => cmd,
        Lang::Ja => japanese(cmd, true, wrap),
    };
    // The exit-code footer is shown only on the root's help page; it is
    // built from the exit table (and wrapped) only for one.
    match wrap {
        Wrap::Yes => cmd.after_help(crate::exit::help_footer(lang)),
        Wrap::No => cmd,
    }
}

/// Display columns for a Japanese option's help: clap puts it beside the
/// option (from column ~29 in `-h`) or under it (column 10 in `--help`),
/// and wraps only at ASCII spaces, which Japanese text lacks; so the text is
/// broken here so that both layouts fit in 80 columns.
const ARG_WIDTH: usize = 48;
/// Display columns for the paragraphs of `about`.
const ABOUT_WIDTH: usize = 76;

/// Breaks `text` into lines of at most `width` display columns (a CJK
/// character is two) with `textwrap`'s Unicode line breaking (UAX #14:
/// between Japanese characters, never before closing punctuation such as
/// 、。）」). Existing line breaks are kept.
pub fn wrap_ja(text: &str, width: usize) -> String {
    let options = textwrap::Options::new(width)
        .word_separator(textwrap::WordSeparator::UnicodeBreakProperties)
        .break_words(false);
    textwrap::fill(text, options)
}

const TEMPLATE_JA: &str =
    "{before-help}{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// `text` broken into lines of `width` columns, or as it is.
fn lines(text: &str, width: usize, wrap: Wrap) -> String {
    match wrap {
        Wrap::Yes => wrap_ja(text, width),
        Wrap::No => text.to_string(),
    }
}

/// The Japanese words on `cmd` and, recursively, on its subcommands.
fn japanese(mut cmd: Command, root: bool, wrap: Wrap) -> Command {
    let name = cmd.get_name().to_string();
    if let Some((about, long)) = about_ja(&name, root) {
        cmd = cmd
            .about(lines(about, ABOUT_WIDTH, wrap))
            .long_about(lines(long, ABOUT_WIDTH, wrap));
    }
    cmd = usage_and_help_flag(cmd, &name, root);
    if root {
        cmd = root_help_and_version(cmd);
    }
    if wrap == Wrap::No {
        // Parsing only: in place, in one pass each. `mut_arg` by name moves
        // the argument to the end (and every later one down), which was
        // most of the rest of a Japanese run's own work; the order it
        // leaves (our `-h` first) only decides the order of the headings
        // on a help page.
        cmd = cmd.mut_args(|a| {
            let id = a.get_id().to_string();
            if id == "help" || id == "version" {
                a
            } else {
                arg_in_japanese(a, &id, wrap)
            }
        });
        return cmd.mut_subcommands(|sc| {
            if sc.get_name() == "help" {
                sc
            } else {
                japanese(sc, false, wrap)
            }
        });
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .filter(|id| id != "help" && id != "version")
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(&id, |a| arg_in_japanese(a, &id, wrap));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for s in subs.into_iter().filter(|s| s != "help") {
        cmd = cmd.mut_subcommand(&s, |sc| japanese(sc, false, wrap));
    }
    cmd
}

/// The Japanese template, usage line and headings, and a `-h/--help` flag
/// whose help is in Japanese.
fn usage_and_help_flag(cmd: Command, name: &str, root: bool) -> Command {
    let path = if root {
        "jpki-status".to_string()
    } else {
        format!("jpki-status {name}")
    };
    let has_sub = cmd.has_subcommands();
    cmd.help_template(TEMPLATE_JA)
        .override_usage(if has_sub {
            format!("{path} [オプション] [コマンド]")
        } else {
            format!("{path} [オプション]")
        })
        .subcommand_help_heading("コマンド")
        .subcommand_value_name("コマンド")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("使い方を表示する（-h は要約）")
                .help_heading("オプション"),
        )
}

/// The root command only: the `help` subcommand, the exit-code footer and
/// `-V/--version`, in Japanese.
fn root_help_and_version(cmd: Command) -> Command {
    cmd.subcommand(
        Command::new("help")
            .about("このコマンド、または指定したコマンドの使い方を表示する")
            .help_template(TEMPLATE_JA)
            .override_usage("jpki-status help [コマンド]")
            .disable_help_flag(true)
            .arg(Arg::new("command").value_name("コマンド").num_args(0..)),
    )
    .disable_version_flag(true)
    .arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("バージョンを表示する")
            .help_heading("オプション"),
    )
}

/// One argument in Japanese: its heading, its help from [`arg_ja`] with the
/// default and the possible values said in Japanese.
fn arg_in_japanese(a: Arg, id: &str, wrap: Wrap) -> Arg {
    let heading = heading_ja(a.get_help_heading());
    // A flag's parser has possible values too (true/false): only
    // options that take a value list theirs.
    let takes_value = matches!(a.get_action(), ArgAction::Set | ArgAction::Append);
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| takes_value && !v.is_hide_set())
        .map(|v| {
            let n = v.get_name();
            match value_ja(n) {
                Some(d) => format!("{n}（{d}）"),
                None => n.to_string(),
            }
        })
        .collect();
    let Some(help) = arg_ja(id) else {
        return a.help_heading(heading);
    };
    // clap would print "[default: 5]" in English: say it in ours.
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let help = if !takes_value || defaults.is_empty() || a.is_hide_default_value_set() {
        help.to_string()
    } else {
        format!("{help}（既定: {}）", defaults.join("、"))
    };
    let long = if values.is_empty() {
        help.clone()
    } else {
        format!("{help}\n値: {}", values.join("、"))
    };
    let a = a
        .help(lines(&help, ARG_WIDTH, wrap))
        .long_help(lines(&long, ARG_WIDTH, wrap))
        .hide_default_value(takes_value)
        .help_heading(heading);
    if values.is_empty() {
        a
    } else {
        // Listed in Japanese above instead of clap's English list.
        a.hide_possible_values(true)
    }
}

fn heading_ja(english: Option<&str>) -> &'static str {
    match english {
        Some(h) if h.starts_with("What only the holder knows") => {
            "本人にしか分からないこと（指定しなければ不明として扱う）"
        }
        Some(h) if h.starts_with("What the holder says") => "暗証番号ごとの本人の申告",
        _ => "オプション",
    }
}

fn about_ja(sub: &str, root: bool) -> Option<(&'static str, &'static str)> {
    if root {
        return Some((
            "マイナンバーカードの暗証番号があと何回試せるかを、回数を減らさずに表示し、次にすることを示します。",
            "マイナンバーカードの暗証番号があと何回試せるかを、回数を減らさずに表示し、次にすることを示します。\n\n\
接触型またはNFCのカードリーダーにカードを置いて jpki-status を実行します。本人が\
ロックしてしまう可能性のある4つの暗証番号（利用者証明用、署名用、券面事項入力補助用、住民基本台帳用）の\
残り回数を、照合なしの VERIFY コマンドで読みます:\n\n    00 20 00 80\n\n\
カードは何も照合せずに残り回数だけを答えるので、回数が減ることはありません。\n\n\
リーダーなしで試す:        jpki-status --sim auth-locked\n\
模擬カードの一覧:          jpki-status profiles\n\
カードなしで助言だけ見る:  jpki-status advise --help\n\
デスク画面（ブラウザー）:  jpki-status desk",
        ));
    }
    Some(match sub {
        "readers" => (
            "カードリーダーの一覧（カードの有無とATR）を表示する",
            "カードリーダーの一覧（カードの有無とATR）を表示します。",
        ),
        "profiles" => (
            "--sim で使える組み込みの模擬カードを一覧する",
            "--sim で使える組み込みの模擬カードを一覧します。",
        ),
        "advise" => (
            "カードを読み取らずに助言する（本人の申告、または保存した --json の読み取り結果をもとに）",
            "カードを読み取らずに助言します。本人の申告（--locked auth、--tries sign=2、--forgot kenhojo など）か、\
保存しておいた --json の読み取り結果（--from report.json）をもとに、カードを読み取ったときと同じ判定をします。",
        ),
        "desk" => (
            "デスク画面: カードを置くとすぐに判定、決め手の質問のボタン、印刷用の案内をブラウザーに表示する",
            "デスク画面を表示します。リーダーごとに、カードを置いた瞬間の判定、判定を決める質問（はい・いいえのボタン）、\
印刷用の案内（ボタン1つ）を、ブラウザーのページに表示します。ページはこのパソコンの中だけで動き（127.0.0.1）、\
外部には何も送りません。カードを取り外すと、表示は数秒で消えます。\n\n\
リーダーなしで試す:  jpki-status desk --sim sign-1-left",
        ),
        _ => return None,
    })
}

/// Japanese help for each argument id (the field names in `cli` and
/// `cli::advise`). A test checks that every argument has one.
/// `--lost`'s help, with the hotline from `vocab::HOTLINE`.
static LOST_JA: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "カードを紛失した、または盗まれた。まず一時利用停止（{}、24時間）",
        vocab::HOTLINE
    )
});

/// The time limits' help, their exit codes written from `Exit`.
static COMMAND_TIMEOUT_JA: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "カードが1つのコマンドに SECS 秒以内に答えなければ打ち切る（「カードが応答しない」、終了コード {}）",
        Exit::Interrupted.code()
    )
});
static READING_TIMEOUT_JA: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "読み取り全体が SECS 秒を超えたら打ち切る（終了コード {}）",
        Exit::Interrupted.code()
    )
});
static IN_USE_WAIT_JA: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "ほかのプログラムがカードを使用中のとき、最大 SECS 秒待つ（「カードはほかのプログラムが使用中」、終了コード {}）",
        Exit::NoCard.code()
    )
});

fn arg_ja(id: &str) -> Option<&'static str> {
    Some(match id {
        "reader" => "このリーダーを使う（正確な名前か、名前の一部。大文字小文字は区別しない）。指定しなければ、カードが置かれている1台を使う",
        "wait" => "カード（またはリーダー）が見つかるまで待つ。SECS を付けると、その秒数まで待つ。--watch では、まだ動いていない・止まったPC/SCサービスも待つ（SECS はその上限）",
        "sim" => "実物の代わりに模擬カードを読む。組み込みの名前（jpki-status profiles）かプロファイルのファイル",
        "json" => "文字の表の代わりに JSON を標準出力に出す（docs/json.md）",
        "verbose" => "カードとのやり取りをすべて標準エラーに表示する（> 00 A4 ...、< 90 00）",
        "diagnostics" => "診断用の照合番号A/Bの回数も読む（生の値、最大値なし）",
        "no_input" => "端末から実行しても、質問せずに答える",
        "details" => "助言の下に詳細も表示する（各文の規則と出典、前提としたこと、リーダー）",
        "command_timeout" => COMMAND_TIMEOUT_JA.as_str(),
        "reading_timeout" => READING_TIMEOUT_JA.as_str(),
        "in_use_wait" => IN_USE_WAIT_JA.as_str(),
        "slip" => "本人に渡す印刷用の案内（HTML 1ページ）をこのファイルに保存する。常駐モードではフォルダーを指定し、カードごとに1枚ずつ保存する。docs/slip-and-site.md",
        "site" => "窓口の設定ファイル（名称・住所・受付時間・電話など、TOML）。指定しなければ、既定の場所にあるファイルを使う",
        "watch" => "常駐して、どのリーダーに置かれたカードも読み続ける（Ctrl-C で終了）。--json なら1行1件の JSON Lines",
        "lang" => "表示の言語（既定: 日本語環境なら日本語。JPKI_STATUS_LANG=ja|en でも指定可）。JSON は変わらない",
        "knows" => "本人がこの暗証番号を覚えている（複数指定可）。コンビニでのリセットはもう一方のJPKI暗証番号を使う",
        "forgot" => "本人がこの暗証番号を覚えていない、または自信がない（複数指定可）。残り1回で少しでも不安なら、忘れたものとして扱う",
        "moved" => "電子証明書の発行後に引っ越しまたは氏名の変更をした（署名用電子証明書は失効し、コンビニでのリセットは使えない）",
        "not_moved" => "電子証明書の発行後に引っ越しも氏名の変更もしていない",
        "age" => "本人の年齢。15歳未満は法定代理人と手続きし、コンビニでのリセットは使えない",
        "adult_ward" => "本人が成年被後見人など（法定代理人が手続き、コンビニは不可）",
        "not_adult_ward" => "本人は成年被後見人などではない",
        "face_auth_card" => "カードの追記欄に「顔認証」とある（暗証番号での手続きはない）",
        "smartphone" => "本人がNFC・カメラ・インターネットの使えるスマートフォンを持っている（コンビニでのリセットの「JPKI暗証番号リセット」アプリに必要）",
        "no_smartphone" => "そのようなスマートフォンがない（コンビニでのリセットは不可、窓口へ）",
        "port" => "待ち受けるポート。0（既定）なら空いているポートを使う",
        "listen" => "待ち受けるアドレス。既定の 127.0.0.1 ならこのパソコンからしか接続できない。ほかのアドレスではネットワークから接続を試みられる（URLの秘密の値は必要だが、通信は暗号化されない）",
        "no_open" => "ブラウザーを開かず、ページのURLを表示するだけにする（1行目）",
        "clear_after" => "カードが取り外されてから表示を消すまでの秒数（0: すぐ消す）。次のカードが置かれれば、すぐに消える",
        "who" => "手続きに行く人: 本人、法定代理人、任意代理人（2回の来庁）",
        "purposes" => "本人が使おうとしていたサービス（複数指定可）。必要な暗証番号が分かる",
        "health_insurance_only" => "健康保険証としての利用だけが目的（--purpose health-insurance だけと同じ）",
        "card_expired" => "カードに印字された有効期限が過ぎている（カードの再交付）",
        "certificate_expired" => "電子証明書の有効期限が切れている（カードを読めば自動で分かる）。窓口で更新",
        "lost" => LOST_JA.as_str(),
        "damaged" => "カードが破損している、またはICチップが読めない（再交付）",
        "phone_certificate" => "問題はスマートフォン側の電子証明書（Androidのスマホ用電子証明書またはiPhone）。マイナポータルアプリで",
        "now" => "時刻を固定する（RFC 3339、例 2026-11-22T23:10:00+09:00）。既定はシステムの時計。助言の時刻は日本時間",
        "locked" => "この暗証番号はロックされていると本人が言われた（複数指定可）",
        "tries" => "暗証番号の残り回数（どこかで表示されたもの。複数指定可、0 はロック）",
        "from" => "保存した jpki-status --json の読み取り結果から助言をやり直す（その中の advice は無視する）",
        _ => return None,
    })
}

fn value_ja(value: &str) -> Option<std::borrow::Cow<'static, str>> {
    // The PINs by their one name and format (src/advice/vocab.rs).
    let pin = |key| {
        let (name, format) = (
            vocab::pin_name(key, Lang::Ja),
            vocab::pin_format(key, Lang::Ja),
        );
        Some(format!("{name}、{format}").into())
    };
    Some(std::borrow::Cow::Borrowed(match value {
        "auth" => return pin(KeyId::Auth),
        "sign" => return pin(KeyId::Sign),
        "kenhojo" => return pin(KeyId::Kenhojo),
        "juki" => return pin(KeyId::Juki),
        "under15" => "15歳未満",
        "15-17" => "15〜17歳",
        "adult" => "18歳以上",
        "holder" => "本人",
        "legal-rep" => "法定代理人",
        "proxy" => "任意代理人、2回の来庁",
        "health-insurance" => "マイナ保険証",
        "e-tax" => "e-Tax",
        "mynaportal" => "マイナポータル",
        "convenience-store-certificate" => "コンビニ交付",
        "kokin-account" => "公金受取口座の登録",
        "iphone" => "iPhoneへのカード追加",
        "municipal-terminal" => "市区町村窓口の端末（転入・住所変更）",
        "other" => "その他",
        "ja" => "日本語",
        "en" => "英語",
        _ => return None,
    }))
}

fn ctx(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What a value for an option looks like, for a value the parser refused.
fn value_hint(arg: &str) -> Option<&'static str> {
    let name = arg.split([' ', '=', '<']).next().unwrap_or(arg);
    Some(match name {
        "--wait" => "秒数（例: --wait=30）。数字を付けない --wait は、カードが置かれるまで待ちます",
        "--command-timeout" | "--reading-timeout" | "--in-use-wait" => "秒数（例: 10、2.5）",
        "--now" => "RFC 3339 形式の日時（例: 2026-11-22T23:10:00+09:00）",
        "--tries" => "KEY=N（例: --tries sign=2。KEY は auth、sign、kenhojo、juki のいずれか）",
        _ => return None,
    })
}

/// clap's error, in Japanese: what was wrong, what would be right, the
/// usage line and where to read more.
pub fn error_ja(e: &clap::Error) -> String {
    let arg = ctx(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = ctx(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut out = String::from("jpki-status: エラー: ");
    match e.kind() {
        ErrorKind::InvalidValue => {
            out += &format!("{arg} に「{value}」は指定できません");
            if let Some(valid) = ctx(e, ContextKind::ValidValue) {
                out += &format!("\n  使える値: {valid}");
            }
        }
        ErrorKind::ValueValidation => {
            out += &format!("{arg} の値「{value}」を読み取れません");
            if let Some(hint) = value_hint(&arg) {
                out += &format!("\n  書き方: {hint}");
            }
        }
        ErrorKind::UnknownArgument => {
            out += &format!("「{arg}」というオプションはありません");
        }
        ErrorKind::InvalidSubcommand => {
            let sub = ctx(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            out += &format!(
                "「{sub}」というコマンドはありません（使えるのは readers、profiles、advise、desk です）"
            );
        }
        ErrorKind::ArgumentConflict => {
            let prior = ctx(e, ContextKind::PriorArg).unwrap_or_default();
            if prior.is_empty() || prior == arg {
                out += &format!("{arg} は一度だけ指定できます");
            } else {
                out += &format!("{arg} と {prior} は同時に指定できません");
            }
        }
        ErrorKind::MissingRequiredArgument => {
            out += &format!("必要な指定がありません: {arg}");
        }
        ErrorKind::NoEquals => {
            out += &format!("{arg} の値は = でつないで指定してください（例: {arg}=値）");
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            out += &format!("{arg} の値の数が合いません");
        }
        ErrorKind::InvalidUtf8 => {
            out += "引数に読み取れない文字（UTF-8 以外）があります";
        }
        _ => {
            out += "コマンドの指定を解釈できません";
        }
    }
    out.push('\n');
    if let Some(s) =
        ctx(e, ContextKind::SuggestedArg).or_else(|| ctx(e, ContextKind::SuggestedSubcommand))
    {
        out += &format!("  もしかして: {s}\n");
    }
    out +=
        "\n使い方は jpki-status --help で確認できます（advise は jpki-status advise --help）。\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_args(cmd: &Command, out: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            out.push(a.get_id().to_string());
        }
        for s in cmd.get_subcommands() {
            all_args(s, out);
        }
    }

    #[test]
    fn every_option_has_japanese_help() {
        let mut ids = Vec::new();
        all_args(&Cli::command(), &mut ids);
        let missing: Vec<_> = ids
            .iter()
            .filter(|id| *id != "help" && *id != "version" && arg_ja(id).is_none())
            .collect();
        assert!(missing.is_empty(), "no Japanese help for {missing:?}");
    }

    #[test]
    fn every_possible_value_has_a_japanese_name() {
        fn walk(cmd: &Command) {
            for a in cmd.get_arguments() {
                if !matches!(a.get_action(), ArgAction::Set | ArgAction::Append) {
                    continue;
                }
                for v in a.get_possible_values() {
                    assert!(value_ja(v.get_name()).is_some(), "{}", v.get_name());
                }
            }
            cmd.get_subcommands().for_each(walk);
        }
        walk(&Cli::command());
    }

    #[test]
    fn japanese_lines_break_within_the_width() {
        use unicode_width::UnicodeWidthStr;
        let text = "本人がこの暗証番号を覚えている（複数指定可）。コンビニでのリセットはもう一方のJPKI暗証番号を使う";
        let wrapped = wrap_ja(text, 20);
        assert!(wrapped.lines().all(|l| l.width() <= 20), "{wrapped}");
        assert_eq!(wrapped.replace('\n', ""), text);
        assert!(
            !wrapped.lines().any(|l| l.starts_with(['、', '。', '）'])),
            "{wrapped}"
        );
        assert_eq!(wrap_ja("a b", 80), "a b");
    }

    #[test]
    fn japanese_definition_is_consistent() {
        command(Lang::Ja).debug_assert();
    }

    #[test]
    fn lang_prescan_reads_the_flag_in_both_spellings() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(lang_before_parsing(&args(&["x", "--lang", "ja"])), Lang::Ja);
        assert_eq!(
            lang_before_parsing(&args(&["x", "advise", "--lang=en"])),
            Lang::En
        );
    }
}
