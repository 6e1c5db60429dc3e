//! Golden APDU transcripts: readable text files in `apdu/transcripts/` that
//! pin the exact bytes of a reading, and can be replayed as a card.
//!
//! Format (apdu/README.md): `#` lines are the header (the first names the
//! source: `synthetic` or `recorded <date> <reader>`); `> ..` is a command
//! from host to card and `< ..` the card's answer, spaced uppercase hex.
//!
//! Owns: parsing, writing, recording (a wrapper around any `Exchange`) and
//! replaying (an `Exchange` that answers from the file and fails on any
//! command the file does not expect). Must not: build commands from the file:
//! replay compares what the probe sends with the file; it never sends the
//! file's bytes anywhere.

use crate::apdu::{parse_hex, spaced_hex, Command, Response};
use crate::transport::{Exchange, TransportError};

/// One command and its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Host to card.
    pub command: Vec<u8>,
    /// Card to host (data + SW).
    pub response: Vec<u8>,
}

/// A whole transcript.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    /// Header lines without the leading `# `.
    pub header: Vec<String>,
    /// The exchanges in order.
    pub steps: Vec<Step>,
}

/// A malformed transcript line.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Transcript {
    /// Parses transcript text.
    pub fn parse(text: &str) -> Result<Transcript, ParseError> {
        let mut t = Transcript::default();
        let mut pending: Option<Vec<u8>> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let err = |message: &str| ParseError {
                line: i + 1,
                message: message.to_string(),
            };
            if line.is_empty() {
                continue;
            }
            if let Some(h) = line.strip_prefix('#') {
                t.header.push(h.trim().to_string());
            } else if let Some(c) = line.strip_prefix('>') {
                if pending.is_some() {
                    return Err(err("a command without an answer"));
                }
                pending = Some(parse_hex(c).map_err(|e| err(&e.to_string()))?);
            } else if let Some(r) = line.strip_prefix('<') {
                let command = pending
                    .take()
                    .ok_or_else(|| err("an answer without a command"))?;
                let response = parse_hex(r).map_err(|e| err(&e.to_string()))?;
                t.steps.push(Step { command, response });
            } else {
                return Err(err("expected '#', '>' or '<'"));
            }
        }
        if pending.is_some() {
            return Err(ParseError {
                line: text.lines().count(),
                message: "the last command has no answer".into(),
            });
        }
        Ok(t)
    }

    /// The text form.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for h in &self.header {
            out.push_str(&format!("# {h}\n"));
        }
        for s in &self.steps {
            out.push_str(&format!(
                "> {}\n< {}\n",
                spaced_hex(&s.command),
                spaced_hex(&s.response)
            ));
        }
        out
    }
}

/// Records every exchange that passes through it.
pub struct Recorder<'a> {
    inner: &'a mut dyn Exchange,
    /// What was recorded so far.
    pub transcript: Transcript,
}

impl<'a> Recorder<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Exchange, header: Vec<String>) -> Self {
        Recorder {
            inner,
            transcript: Transcript {
                header,
                steps: Vec::new(),
            },
        }
    }
}

impl Exchange for Recorder<'_> {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        let r = self.inner.transmit(command)?;
        self.transcript.steps.push(Step {
            command: command.encode().as_bytes().to_vec(),
            response: r.to_bytes(),
        });
        Ok(r)
    }
}

/// Answers from a transcript, in order; any other command is an error.
pub struct Replay {
    steps: std::vec::IntoIter<Step>,
    index: usize,
}

impl Replay {
    /// Replays `t`.
    pub fn new(t: Transcript) -> Self {
        Replay {
            steps: t.steps.into_iter(),
            index: 0,
        }
    }
    /// True when every step was used.
    pub fn finished(&mut self) -> bool {
        self.steps.as_slice().is_empty()
    }
}

/// A replay that expected another command: test equipment's failure, so it
/// travels as the seam's catch-all `Other` instead of a variant of its own
/// in the production `TransportError` (issue 16).
fn mismatch(detail: String) -> TransportError {
    TransportError::Other {
        operation: MISMATCH,
        detail,
    }
}

/// The `operation` of a replay's mismatch.
pub const MISMATCH: &str = "transcript replay";

impl Exchange for Replay {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        let sent = command.encode();
        let i = self.index;
        self.index += 1;
        let step = self.steps.next().ok_or_else(|| {
            mismatch(format!("step {i}: {sent:?} sent after the transcript ended"))
        })?;
        if step.command != sent.as_bytes() {
            return Err(mismatch(format!(
                "step {i}: sent {sent:?}, transcript has {}",
                spaced_hex(&step.command)
            )));
        }
        Response::parse(&step.response)
            .map_err(|_| TransportError::ShortResponse(step.response.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let text = "# synthetic\n> 00 20 00 80\n< 63 C3\n";
        let t = Transcript::parse(text).expect("parse");
        assert_eq!(t.to_text(), text);
        assert!(Transcript::parse("< 90 00\n").is_err());
        assert!(Transcript::parse("> 00 20 00 80\n").is_err());
        assert!(Transcript::parse("> zz\n< 90 00").is_err());
    }

    #[test]
    fn replay_rejects_a_different_command() {
        let mut r = Replay::new(Transcript::parse("> 00 20 00 80\n< 63 C3\n").expect("parse"));
        let e = r
            .transmit(&Command::SelectFile(crate::apdu::FileId(0x18)))
            .expect_err("mismatch");
        assert!(matches!(e, TransportError::Other { operation: MISMATCH, .. }));
    }
}
