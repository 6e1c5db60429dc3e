//! The process exit codes: one typed enum, documented in docs/exit-codes.md,
//! README and `--help`. Findings (codes 3-6) never share a code with failures
//! (1, 2, 7, 8), so a script can tell "the card needs attention" from "the
//! tool could not look".

/// Every exit code `jpki-status` uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Exit {
    /// The card was read (or the advice computed) and nothing needs doing.
    Healthy = 0,
    /// An unexpected failure (a bug, an I/O error writing output).
    Failure = 1,
    /// The command line was wrong (clap's convention).
    Usage = 2,
    /// Needs attention; what to do depends on something only the holder
    /// knows (advice route `conditional`), or a key answered oddly.
    AttentionConditional = 3,
    /// Needs attention; a self-service route is possible (kiosk reset with the
    /// 「JPKI暗証番号リセット」 app, or the Mynaportal app for phone JPKI).
    AttentionSelfService = 4,
    /// Needs attention; a visit to the municipal counter is needed (PIN reset,
    /// certificate or card renewal, reissue).
    AttentionCounter = 5,
    /// The card is not a My Number Card (no JPKI applet or unknown layout).
    NotMyNumberCard = 6,
    /// Nothing to read: no PC/SC service, no reader, no card, or the card
    /// is in use by another program. Fix the set-up and run again.
    NoCard = 7,
    /// The reading was interrupted (card removed or moved, communication
    /// failure). Nothing partial is reported. Run again, holding the card
    /// still.
    Interrupted = 8,
    /// Watch mode ended by Ctrl-C (128 + SIGINT, the shell convention).
    Cancelled = 130,
}

impl Exit {
    /// The numeric code.
    pub const fn code(self) -> u8 {
        self as u8
    }
    /// Every code, for documentation tests.
    pub const ALL: [Exit; 10] = [
        Exit::Healthy,
        Exit::Failure,
        Exit::Usage,
        Exit::AttentionConditional,
        Exit::AttentionSelfService,
        Exit::AttentionCounter,
        Exit::NotMyNumberCard,
        Exit::NoCard,
        Exit::Interrupted,
        Exit::Cancelled,
    ];
}
