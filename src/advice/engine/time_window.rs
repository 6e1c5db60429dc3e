//! The kiosk's time window at `now` (decision-rules.md, Time): open now or
//! reserve in the morning. Must not: read the clock (the caller passes
//! `now`).
use super::*;

/// Kiosk hours (R5, R7; decision-rules.md, Time): the values of
/// `vocab::KIOSK_HOURS`, as times (a unit test keeps the two equal).
pub(super) const KIOSK_OPENS: Time = time::macros::time!(06:30);
pub(super) const KIOSK_CLOSES: Time = time::macros::time!(23:00);
/// From this time a kiosk visit cannot be finished today (Corrections,
/// "time"; `vocab::KIOSK_LAST_START`).
pub(super) const KIOSK_LAST_START: Time = time::macros::time!(22:30);

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
        let until = now.checked_add(Duration::hours(24)).unwrap_or(now);
        Msg::GoNow {
            until: fmt_minute(until),
        }
    } else {
        // From 22:30 the morning is tomorrow's; before 06:30 it is today's.
        let date = if t >= KIOSK_LAST_START {
            now.date().next_day().unwrap_or(now.date())
        } else {
            now.date()
        };
        Msg::ReserveInMorning {
            date: fmt_date(date),
        }
    };
    TimeWindow {
        now: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        kiosk_hours: format!("{}-{}", KIOSK_HOURS.0, KIOSK_HOURS.1),
        reservation_valid_hours: RESERVATION_VALID_HOURS,
        kiosk_open_now: open,
        advice: stmt(RuleId::Time, msg).only_if(only_if),
    }
}

pub(super) fn fmt_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn fmt_minute(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", fmt_date(t.date()), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kiosk hours the engine computes with are the ones the text says
    /// (`vocab`, the one place they are written with their source).
    #[test]
    fn kiosk_times_match_the_vocabulary() {
        let hm = |t: Time| format!("{}:{:02}", t.hour(), t.minute());
        assert_eq!(hm(KIOSK_OPENS), KIOSK_HOURS.0);
        assert_eq!(hm(KIOSK_CLOSES), KIOSK_HOURS.1);
        assert_eq!(hm(KIOSK_LAST_START), crate::advice::vocab::KIOSK_LAST_START);
    }
}
