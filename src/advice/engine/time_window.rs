//! The kiosk's time window at `now` (decision-rules.md, Time): open now or
//! reserve in the morning. Must not: read the clock (the caller passes
//! `now`).
use super::*;
use crate::advice::vocab::{clock, KIOSK_CLOSES, KIOSK_LAST_START, KIOSK_OPENS};

/// The kiosk's time window at `now` (decision-rules.md, Time).
pub(super) fn time_window(now: OffsetDateTime, only_if: Option<Route>) -> TimeWindow {
    let now = in_japan(now);
    let t = now.time();
    let open = t >= KIOSK_OPENS && t < KIOSK_CLOSES;
    // From 22:30 the kiosk step cannot be finished before 23:00: advise the
    // morning, not "go now" (Corrections, "time").
    let msg = if open && t < KIOSK_LAST_START {
        // The reservation's 24 h end inside tomorrow's opening hours, since
        // now is inside today's.
        let valid = Duration::hours(i64::from(RESERVATION_VALID_HOURS));
        let until = now.checked_add(valid).unwrap_or(now);
        Msg::GoNow {
            until: minute_text(until),
        }
    } else if t < KIOSK_OPENS {
        // Before 06:30 the kiosk opens today; the app takes a reservation
        // at any hour (issue 18: not "too late today").
        Msg::FromOpening {
            date: date_text(now.date()),
        }
    } else {
        // From 22:30 the morning is tomorrow's.
        Msg::ReserveInMorning {
            date: date_text(now.date().next_day().unwrap_or(now.date())),
        }
    };
    TimeWindow {
        now: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        kiosk_hours: format!("{}-{}", clock(KIOSK_OPENS), clock(KIOSK_CLOSES)),
        reservation_valid_hours: RESERVATION_VALID_HOURS,
        kiosk_open_now: open,
        advice: stmt(RuleId::Time, msg).only_if(only_if),
    }
}
