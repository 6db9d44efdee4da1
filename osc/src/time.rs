//! NTP time tags (the clock OSC bundles carry) and when a request should act.

use std::cmp::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01).
const NTP_UNIX_OFFSET: i128 = 2_208_988_800;
const NANOS_PER_SEC: u64 = 1_000_000_000;
const TWO_POW_32: f64 = 4_294_967_296.0;

/// An OSC/NTP time tag: whole seconds since 1900-01-01 UTC and a binary
/// fraction of a second (units of 2⁻³² s, about 233 ps).
///
/// The 32-bit seconds field wraps in February 2036. Conversions and ordering
/// use the usual NTP window: tags whose top bit is set are 1968-01-20 to
/// 2036-02-07 (era 0), the others 2036-02-07 to 2104-02-26 (era 1). Inside
/// that window a [`SystemTime`] converts to an `NtpTime` and back exactly, to
/// the nanosecond.
///
/// ```
/// use chronus_osc::NtpTime;
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
///
/// let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
/// let ntp = NtpTime::from(t);
/// assert_eq!(ntp.seconds, 1_700_000_000 + 2_208_988_800);
/// assert_eq!(SystemTime::from(ntp), t);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NtpTime {
    /// Whole seconds since 1900-01-01 00:00:00 UTC, modulo 2³².
    pub seconds: u32,
    /// Fraction of a second in units of 2⁻³² s.
    pub fraction: u32,
}

impl NtpTime {
    /// The OSC time tag that means "immediately": seconds 0, fraction 1.
    pub const IMMEDIATELY: NtpTime = NtpTime {
        seconds: 0,
        fraction: 1,
    };

    /// Builds a time tag from its 64-bit wire form (seconds in the high half).
    pub const fn from_bits(bits: u64) -> NtpTime {
        NtpTime {
            seconds: (bits >> 32) as u32,
            fraction: bits as u32,
        }
    }

    /// The 64-bit wire form of this time tag (seconds in the high half).
    pub const fn to_bits(self) -> u64 {
        ((self.seconds as u64) << 32) | self.fraction as u64
    }

    /// How many seconds `self` is after `earlier` (negative if it is before).
    ///
    /// Computed on the 64-bit difference, so it is exact to 2⁻³² s for
    /// differences under a few weeks and correct across the 2036 wrap for any
    /// two tags less than 68 years apart.
    ///
    /// ```
    /// use chronus_osc::NtpTime;
    /// let a = NtpTime { seconds: 100, fraction: 0 };
    /// let b = NtpTime { seconds: 101, fraction: 1 << 31 };
    /// assert_eq!(b.secs_after(a), 1.5);
    /// assert_eq!(a.secs_after(b), -1.5);
    /// ```
    pub fn secs_after(self, earlier: NtpTime) -> f64 {
        self.to_bits().wrapping_sub(earlier.to_bits()) as i64 as f64 / TWO_POW_32
    }

    /// Converts to a [`SystemTime`], reading the seconds in the 1968–2104
    /// window described on [`NtpTime`].
    ///
    /// Rounds to the nearest nanosecond. Every platform Rust supports can
    /// represent that window; if one could not, the result would be the Unix
    /// epoch rather than a panic.
    pub fn to_system_time(self) -> SystemTime {
        let since_1900 = if self.seconds & 0x8000_0000 != 0 {
            i128::from(self.seconds)
        } else {
            i128::from(self.seconds) + (1_i128 << 32)
        };
        // Round the fraction to the nearest nanosecond (may carry to 1e9).
        let nanos = (u64::from(self.fraction) * NANOS_PER_SEC + (1 << 31)) >> 32;
        let unix_nanos =
            (since_1900 - NTP_UNIX_OFFSET) * i128::from(NANOS_PER_SEC) + i128::from(nanos);
        let magnitude = Duration::from_nanos(unix_nanos.unsigned_abs() as u64);
        let time = if unix_nanos >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        };
        time.unwrap_or(UNIX_EPOCH)
    }
}

impl From<SystemTime> for NtpTime {
    /// Converts to the nearest time tag (2⁻³² s). Times outside 1968–2104 wrap
    /// modulo 2³² seconds, as NTP itself does.
    fn from(time: SystemTime) -> NtpTime {
        let (unix_secs, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => (i128::from(after.as_secs()), after.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let secs = -i128::from(before.as_secs());
                match before.subsec_nanos() {
                    0 => (secs, 0),
                    n => (secs - 1, 1_000_000_000 - n),
                }
            }
        };
        let seconds = (unix_secs + NTP_UNIX_OFFSET).rem_euclid(1 << 32) as u32;
        // nanos < 1e9, so the rounded fraction stays below 2^32 (no carry).
        let fraction = ((u64::from(nanos) << 32) + NANOS_PER_SEC / 2) / NANOS_PER_SEC;
        NtpTime {
            seconds,
            fraction: fraction as u32,
        }
    }
}

impl From<NtpTime> for SystemTime {
    /// See [`NtpTime::to_system_time`].
    fn from(time: NtpTime) -> SystemTime {
        time.to_system_time()
    }
}

impl Ord for NtpTime {
    /// Chronological order within the 1968–2104 window (era 1 tags, after the
    /// 2036 wrap, sort after era 0 tags).
    fn cmp(&self, other: &NtpTime) -> Ordering {
        const ERA: u64 = 1 << 63;
        (self.to_bits() ^ ERA).cmp(&(other.to_bits() ^ ERA))
    }
}

impl PartialOrd for NtpTime {
    fn partial_cmp(&self, other: &NtpTime) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The current wall-clock time as an NTP time tag.
///
/// ```
/// let now = chronus_osc::ntp_now();
/// assert!(now.seconds > 3_900_000_000); // after 2023
/// ```
pub fn ntp_now() -> NtpTime {
    NtpTime::from(SystemTime::now())
}

/// When a request should take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum When {
    /// As soon as possible: a plain message, a bundle tagged "immediately"
    /// (seconds 0, fraction 1) or an unset tag (all zero).
    Immediate,
    /// At this wall-clock time (from a bundle's time tag; it may be in the
    /// past, in which case the request is late).
    At(NtpTime),
}

impl When {
    /// Reads a bundle's time tag: `(0, 1)` and `(0, 0)` are [`When::Immediate`].
    pub fn from_tag(tag: NtpTime) -> When {
        if tag.seconds == 0 && tag.fraction <= 1 {
            When::Immediate
        } else {
            When::At(tag)
        }
    }

    /// The later of two times; `Immediate` is earlier than any `At`.
    ///
    /// A nested bundle's tag applies to its contents, but never earlier than
    /// the enclosing bundle's: the effective time is
    /// `outer.later_of(inner)`.
    pub fn later_of(self, other: When) -> When {
        match (self, other) {
            (When::Immediate, other) => other,
            (this, When::Immediate) => this,
            (When::At(a), When::At(b)) => When::At(a.max(b)),
        }
    }

    /// Seconds from `now` until this time: 0 for `Immediate`, negative when
    /// the time has already passed (the request is late).
    ///
    /// ```
    /// use chronus_osc::{NtpTime, When};
    /// let now = NtpTime { seconds: 4_000_000_000, fraction: 0 };
    /// let at = When::At(NtpTime { seconds: 4_000_000_002, fraction: 0 });
    /// assert_eq!(at.secs_from(now), 2.0);
    /// assert_eq!(When::Immediate.secs_from(now), 0.0);
    /// ```
    pub fn secs_from(self, now: NtpTime) -> f64 {
        match self {
            When::Immediate => 0.0,
            When::At(at) => at.secs_after(now),
        }
    }
}
