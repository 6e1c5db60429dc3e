//! The sources behind each statement (decision-rules.md, Sources; D where
//! the spec marks a fact as derived).
use super::*;

/// A statement with the sources that back it (decision-rules.md, Sources;
/// D where the spec marks a fact as derived).
pub(super) fn stmt(rule: RuleId, msg: Msg) -> Statement {
    use SourceKey::*;
    let sources: &[SourceKey] = match &msg {
        Msg::Summary { .. } => match rule {
            RuleId::R0 | RuleId::R1 | RuleId::R6 | RuleId::R9 => &[N, M],
            RuleId::R1b | RuleId::R10 | RuleId::R11 | RuleId::R13 => &[M],
            RuleId::R2 | RuleId::R14 => &[N, S],
            RuleId::R3 | RuleId::R5 | RuleId::R7 | RuleId::Time => &[N],
            RuleId::R4 => &[S],
            RuleId::R8 => &[N, D],
            RuleId::R12 => &[M, D],
            RuleId::Services => &[N, S],
            RuleId::Combining => &[D],
        },
        Msg::CardRenewal | Msg::CardValidity | Msg::SuspendAndReissue => &[N, M],
        Msg::DamagedReissue | Msg::CounterHolder | Msg::CounterProxy | Msg::CounterSomeoneElse => {
            &[M]
        }
        Msg::CounterHours => &[M],
        Msg::FaceAuthCard | Msg::PhoneCertificate | Msg::MaybeFaceAuth => &[N, S],
        Msg::PhoneToken | Msg::UnknownCard => &[N, D],
        Msg::JukiCardToken => &[M],
        Msg::KeyFine { .. } | Msg::NoRecovery | Msg::KeyKiosk { .. } => &[N],
        Msg::KioskStepsAuth | Msg::KioskStepsSign | Msg::NewPasswordFormat => &[N],
        Msg::Stores { .. } | Msg::KioskOtherPin { .. } => &[N],
        Msg::KeyVerified { .. }
        | Msg::KeyNoSign { .. }
        | Msg::KeyNoCertificate { .. }
        | Msg::KeyAbsent { .. }
        | Msg::KeyOdd { .. }
        | Msg::KeyCovered { .. }
        | Msg::KeyDependsOn { .. }
        | Msg::OneVisit { .. }
        | Msg::FixLater { .. }
        | Msg::AboveMax { .. }
        | Msg::TriesNotCounted { .. }
        | Msg::ReadingGap
        | Msg::Assumed { .. } => &[D],
        Msg::KeyNotNeeded { .. } => &[N, S, D],
        Msg::KeyCounter { .. } | Msg::OtherPinTwice { .. } | Msg::LastTry { .. } => &[N, D],
        Msg::KeyHealthInsuranceOnly { .. }
        | Msg::HealthInsuranceStillWorks
        | Msg::FaceAuthLocks => &[S],
        Msg::KeyWithRenewal { .. }
        | Msg::KeySignatureCertificate { .. }
        | Msg::CertificateRenewal
        | Msg::CertificateReissue
        | Msg::MoveRevokes
        | Msg::ExpiringSoon { .. } => &[N, M],
        Msg::CounterLegalRep => &[M, D],
        Msg::ExpiredHealthInsurance
        | Msg::HealthInsuranceGrace { .. }
        | Msg::HealthInsuranceLapsed { .. } => &[M, S],
        Msg::FromOpening { .. } => &[N, D],
        Msg::CounterClosed { .. } => &[M, D],
        Msg::GoNow { .. } => &[N],
        Msg::JukiAtNewMunicipality | Msg::MovedOneVisit | Msg::MoveDeadline => &[M],
        Msg::ReserveInMorning { .. } => &[N, D],
    };
    Statement::new(rule, msg, sources)
}
