//! Unit tests (inside the crate, so the `match`es below are exhaustive
//! even over `#[non_exhaustive]` enums). One source per fact (issue 16): each enum's hand-written `name()` is the
//! name serde writes in JSON, for every variant. Each list below is checked
//! to be complete by an exhaustive `match`, so a new variant fails to
//! compile here until it is listed (and so checked).

use crate::advice::{Route, RuleId};
use crate::card::{Applet, CardKind, KeyId};
use crate::report::KeyStatus;
use serde_json::Value;

fn serde_name<T: serde::Serialize>(v: T) -> String {
    match serde_json::to_value(v).expect("serializes") {
        Value::String(s) => s,
        other => panic!("not a plain name: {other}"),
    }
}

#[test]
fn applet_names() {
    let listed = |a: Applet| match a {
        Applet::Jpki | Applet::Kenhojo | Applet::Juki | Applet::Common | Applet::Kenmen => a,
    };
    for a in Applet::ALL.map(listed) {
        assert_eq!(serde_name(a), a.name());
    }
}

#[test]
fn key_names() {
    use KeyId::*;
    let all = [
        Auth, Sign, Kenhojo, Juki, KenhojoA, KenhojoB, KenmenA, KenmenB,
    ];
    let _complete = |k: KeyId| match k {
        Auth | Sign | Kenhojo | Juki | KenhojoA | KenhojoB | KenmenA | KenmenB => (),
    };
    for k in all {
        assert_eq!(serde_name(k), k.name());
    }
}

#[test]
fn card_kind_names() {
    use CardKind::*;
    let all = [MyNumberCard, JukiCard, PhoneJpki, Unknown];
    let _complete = |k: CardKind| match k {
        MyNumberCard | JukiCard | PhoneJpki | Unknown => (),
    };
    for k in all {
        assert_eq!(serde_name(k), k.name());
    }
}

#[test]
fn route_names() {
    use Route::*;
    let all = [
        None,
        PhoneApp,
        Kiosk,
        Conditional,
        Counter,
        CertificateRenewal,
        NoPinRoute,
        CardRenewal,
        SuspendAndReissue,
    ];
    let _complete = |r: Route| match r {
        None | PhoneApp | Kiosk | Conditional | Counter | CertificateRenewal | NoPinRoute
        | CardRenewal | SuspendAndReissue => (),
    };
    for r in all {
        assert_eq!(serde_name(r), r.name());
    }
}

#[test]
fn rule_names() {
    use RuleId::*;
    let all = [
        R0, R1, R1b, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14, Combining, Time,
        Services,
    ];
    let _complete = |r: RuleId| match r {
        R0 | R1 | R1b | R2 | R3 | R4 | R5 | R6 | R7 | R8 | R9 | R10 | R11 | R12 | R13 | R14
        | Combining | Time | Services => (),
    };
    for r in all {
        assert_eq!(serde_name(r), r.name());
    }
}

#[test]
fn key_status_names() {
    let all = [
        KeyStatus::Remaining { left: 2 },
        KeyStatus::Locked,
        KeyStatus::Verified,
        KeyStatus::Absent,
        KeyStatus::Unexpected,
    ];
    let _complete = |s: KeyStatus| match s {
        KeyStatus::Remaining { .. }
        | KeyStatus::Locked
        | KeyStatus::Verified
        | KeyStatus::Absent
        | KeyStatus::Unexpected => (),
    };
    for s in all {
        let json = serde_json::to_value(s).expect("serializes");
        assert_eq!(json["state"], s.name(), "{json}");
    }
}
