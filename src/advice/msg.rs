//! The statements the advice can make, as codes with parameters.
//!
//! Owns: [`Msg`] (the stable `code`/`params` of every statement), [`Why`]
//! and [`Assumed`]. Must not: decide which statement applies (that is
//! `engine`) or word it (that is `wording`). The rule id and source keys
//! travel with each statement, not in its text.

use super::model::{Question, Route};
use crate::apdu::StatusWord;
use crate::card::KeyId;
use serde::{Deserialize, Serialize};

/// Why a JPKI key cannot take the kiosk route (R5, R7, R8).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Why {
    /// The holder does not remember the other JPKI PIN.
    OtherPinForgotten,
    /// Whether the holder remembers the other JPKI PIN is not known.
    OtherPinUnknown,
    /// The other JPKI PIN is locked (the kiosk cannot verify it: D).
    OtherPinLocked,
    /// The other JPKI PIN answered oddly or is absent.
    OtherPinUnreadable,
    /// Both JPKI PINs need a reset (combining).
    BothJpki,
    /// No NFC smartphone.
    NoSmartphone,
    /// Whether there is an NFC smartphone is not known.
    SmartphoneUnknown,
    /// The 署名用 certificate was revoked by a move or name change.
    SignatureRevoked,
    /// Whether the holder moved is not known.
    MovedUnknown,
    /// No 署名用 certificate on the card.
    NoSignatureCertificate,
    /// Under 15 or an adult ward: no 署名用 certificate in principle (D).
    UnderAgeOrWard,
    /// Whether the holder is under 15 or an adult ward is not known.
    AgeUnknown,
    /// The holder cannot do the app's face match (someone else goes).
    NoFaceMatch,
    /// Who will go is not known (the face match needs the holder).
    WhoUnknown,
    /// Another key needs the counter: one visit for everything.
    OneVisit,
    /// An appointed proxy goes: never the kiosk (Corrections, R13).
    ProxyGoes,
    /// `juki` and `kenhojo` have no kiosk or app route (R10).
    CounterOnlyKey,
}

/// A fact taken as "no" because nothing pointed to it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Assumed {
    /// Card expired (R0).
    CardExpired,
    /// Card lost (R1).
    Lost,
    /// Card damaged (R1b).
    Damaged,
    /// Face-auth card (R2).
    FaceAuthCard,
    /// Phone certificate (R14).
    PhoneCertificate,
}

/// Why most municipal counters are closed on a day (R11; Corrections,
/// "calendar").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DayOff {
    /// Saturday or Sunday.
    Weekend,
    /// A national holiday (国民の祝日・休日).
    Holiday,
    /// The year-end and New Year days, 12/29-1/3 (休日条例).
    YearEnd,
}

/// What a statement says: a stable code and its parameters.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Msg {
    /// The overall route in one line.
    Summary {
        /// The route.
        route: Route,
    },
    /// R0: apply for a new card.
    CardRenewal,
    /// R1: suspend by phone, then reissue.
    SuspendAndReissue,
    /// R1b: reissue at the municipality.
    DamagedReissue,
    /// R2: a face-auth card has no PIN route.
    FaceAuthCard,
    /// The object read is smartphone JPKI (Combining, R14).
    PhoneToken,
    /// The object read is an old 住基カード (Combining).
    JukiCardToken,
    /// The object read is not a known card (Combining; Things that change).
    UnknownCard,
    /// R14: a smartphone certificate problem goes to the Mynaportal app.
    PhoneCertificate,
    /// R3: tries left and the holder knows it.
    KeyFine {
        /// The key.
        key: KeyId,
        /// Tries left, when counted.
        left: Option<u8>,
    },
    /// Verified in this session: known-good.
    KeyVerified {
        /// The key.
        key: KeyId,
    },
    /// No sign of trouble (full tries or not mentioned); not asked about.
    KeyNoSign {
        /// The key.
        key: KeyId,
    },
    /// Forgotten, but not needed for the stated purposes.
    KeyNotNeeded {
        /// The key.
        key: KeyId,
    },
    /// No 署名用 certificate: the password is not in use.
    KeyNoCertificate {
        /// The key.
        key: KeyId,
    },
    /// Not present on this object.
    KeyAbsent {
        /// The key.
        key: KeyId,
    },
    /// The card answered oddly for this key.
    KeyOdd {
        /// The key.
        key: KeyId,
        /// The status word (JSON: 4 hex digits), when there was one.
        #[serde(default, with = "crate::report::sw_hex")]
        sw: Option<StatusWord>,
    },
    /// Kiosk reset using the other JPKI PIN (R5, R7).
    KeyKiosk {
        /// The key reset.
        key: KeyId,
        /// The PIN the kiosk asks for.
        other: KeyId,
    },
    /// Counter reset, and why not the kiosk.
    KeyCounter {
        /// The key.
        key: KeyId,
        /// The reasons.
        why: Vec<Why>,
    },
    /// R4: no urgent action for health insurance use.
    KeyHealthInsuranceOnly {
        /// The key (`auth`).
        key: KeyId,
    },
    /// Reset in the same visit as a certificate renewal (R6, R9).
    KeyWithRenewal {
        /// The key.
        key: KeyId,
    },
    /// R6: the 署名用 certificate must be (re)issued.
    KeySignatureCertificate {
        /// The key (`sign`).
        key: KeyId,
    },
    /// This key is handled by the whole card's route.
    KeyCovered {
        /// The key.
        key: KeyId,
        /// The card's route.
        route: Route,
    },
    /// The route for this key depends on open questions.
    KeyDependsOn {
        /// The key.
        key: KeyId,
        /// The questions.
        questions: Vec<Question>,
    },
    /// R5 steps.
    KioskStepsAuth,
    /// R7 steps.
    KioskStepsSign,
    /// R7: the new password's format.
    NewPasswordFormat,
    /// R11: what to bring when the holder goes.
    CounterHolder,
    /// R12: with the legal representative.
    CounterLegalRep,
    /// R13: an appointed proxy, two visits.
    CounterProxy,
    /// R12/R13 in short, when who goes is not known.
    CounterSomeoneElse,
    /// R9: certificate renewal.
    CertificateRenewal,
    /// R6: certificate reissue.
    CertificateReissue,
    /// Combining: one counter visit for these keys.
    OneVisit {
        /// The keys handled in that visit.
        keys: Vec<KeyId>,
    },
    /// R4: health insurance use still works.
    HealthInsuranceStillWorks,
    /// R4: fix the PIN later; `kiosk` when the kiosk is open to this
    /// holder (never named otherwise: Corrections, R4).
    FixLater {
        /// The kiosk is possible for this holder.
        kiosk: bool,
    },
    /// Corrections, R10: when moving, the 住基 PIN is entered and reset at
    /// the new municipality, within 90 days.
    JukiAtNewMunicipality,
    /// Moving or a name change revoked the 署名用 certificate: its reissue
    /// belongs in the same counter visit (issue 18: one visit for
    /// everything).
    MovedOneVisit,
    /// Moving: the 転入届 within 14 days of the move (past it the card
    /// lapses), in the same visit as the rest.
    MoveDeadline,
    /// Which stores reset `key` (R5, R7).
    Stores {
        /// The key reset at the store.
        key: KeyId,
    },
    /// Kiosks are open: reserve now and go today before closing, or within
    /// the reservation's 24 hours.
    GoNow {
        /// The reservation's end, `YYYY-MM-DD HH:MM` Japan time.
        until: String,
    },
    /// Kiosks are closed: reserve in the morning.
    ReserveInMorning {
        /// The morning's date, `YYYY-MM-DD`.
        date: String,
    },
    /// R11: counter hours are municipal.
    CounterHours,
    /// The kiosk asks for this PIN: its tries.
    KioskOtherPin {
        /// The PIN the kiosk asks for.
        key: KeyId,
        /// Its tries, when counted.
        left: Option<u8>,
    },
    /// That PIN is entered twice and has this few tries.
    OtherPinTwice {
        /// The PIN entered twice.
        key: KeyId,
        /// Its tries.
        left: u8,
    },
    /// One more failure locks this key.
    LastTry {
        /// The key.
        key: KeyId,
    },
    /// R3: counters never recover with time.
    NoRecovery,
    /// Every holder PIN read as locked: a 顔認証マイナンバーカード is issued
    /// with no PINs set, and what it answers is not published (issue 19).
    MaybeFaceAuth,
    /// The card refused (or garbled) a read of its identity or certificate:
    /// read it again; the same again means the counter (issue 19).
    ReadingGap,
    /// R4: face authentication locks on its own.
    FaceAuthLocks,
    /// R6: moving revokes the 署名用 certificate.
    MoveRevokes,
    /// R9: health insurance use after expiry (the expiry date unknown).
    ExpiredHealthInsurance,
    /// R9: the certificates expired, and health-insurance use continues
    /// until `until` (the end of the third month after the expiry month).
    HealthInsuranceGrace {
        /// The last day, `YYYY-MM-DD`.
        until: String,
    },
    /// R9: that grace ended on `ended`: the マイナ保険証 registration has
    /// lapsed and is redone after the renewal.
    HealthInsuranceLapsed {
        /// The grace's last day, `YYYY-MM-DD`.
        ended: String,
    },
    /// Kiosks open at 6:30 today (before opening; the app works at any
    /// hour).
    FromOpening {
        /// Today, `YYYY-MM-DD`.
        date: String,
    },
    /// R11: most municipal counters are closed today; they usually reopen
    /// on `reopens` (with a site file, the office's own days say it).
    CounterClosed {
        /// Today, `YYYY-MM-DD`.
        date: String,
        /// Why.
        day_off: DayOff,
        /// The next weekday that is not a holiday, `YYYY-MM-DD`.
        reopens: String,
    },
    /// R9: renewal is possible from 3 months before expiry.
    ExpiringSoon {
        /// The expiry date.
        date: String,
        /// Days left.
        days: i64,
    },
    /// The card reported more tries than the documented maximum.
    AboveMax {
        /// The key.
        key: KeyId,
        /// Tries reported.
        left: u8,
    },
    /// The tries of a key were not counted (no card).
    TriesNotCounted {
        /// The key.
        key: KeyId,
    },
    /// A fact taken as "no".
    Assumed {
        /// Which.
        fact: Assumed,
    },
    /// R0: card validity.
    CardValidity,
}
