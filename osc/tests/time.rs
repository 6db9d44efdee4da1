//! NTP time tags against SystemTime, and the era window.

use chronus_osc::{ntp_now, NtpTime, When};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const UNIX_IN_NTP: u32 = 2_208_988_800;

fn unix(secs: u64, nanos: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(secs, nanos)
}

#[test]
fn known_instants() {
    assert_eq!(
        NtpTime::from(UNIX_EPOCH),
        NtpTime {
            seconds: UNIX_IN_NTP,
            fraction: 0
        }
    );
    let half = NtpTime::from(unix(1, 500_000_000));
    assert_eq!(half.seconds, UNIX_IN_NTP + 1);
    assert_eq!(half.fraction, 1 << 31);
    assert_eq!(SystemTime::from(half), unix(1, 500_000_000));
    // rosc agrees on the same instant (it rounds the same way).
    let t = unix(1_700_000_000, 123_456_789);
    let theirs = rosc::OscTime::try_from(t).unwrap();
    let ours = NtpTime::from(t);
    assert_eq!(
        (ours.seconds, ours.fraction),
        (theirs.seconds, theirs.fractional)
    );
}

#[test]
fn system_time_round_trips_to_the_nanosecond() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // 1970 .. 2100, any nanosecond.
        let t = unix(x % 4_102_444_800, (x >> 40) as u32 % 1_000_000_000);
        let back = SystemTime::from(NtpTime::from(t));
        assert_eq!(back, t);
    }
    // The edges of a second.
    for nanos in [0, 1, 2, 499_999_999, 500_000_000, 999_999_998, 999_999_999] {
        let t = unix(1_800_000_000, nanos);
        assert_eq!(SystemTime::from(NtpTime::from(t)), t);
    }
}

#[test]
fn ntp_to_system_time_is_within_half_a_nanosecond() {
    let mut x: u64 = 99;
    for _ in 0..100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let ntp = NtpTime::from_bits(x | (1 << 63));
        let back = NtpTime::from(SystemTime::from(ntp));
        // One nanosecond is 4.29 fraction units; rounding twice moves at most
        // half a nanosecond (2.15 units) plus half a unit.
        let diff = back.secs_after(ntp).abs();
        assert!(
            diff <= 0.5e-9 + 0.5 / 4_294_967_296.0,
            "{ntp:?} -> {back:?}"
        );
    }
    // The largest fraction rounds up into the next second.
    let top = NtpTime {
        seconds: UNIX_IN_NTP,
        fraction: u32::MAX,
    };
    assert_eq!(SystemTime::from(top), unix(1, 0));
}

#[test]
fn the_2036_wrap_and_times_before_1970() {
    // 2036-02-07T06:28:16Z is seconds 0 of era 1.
    let wrap = unix(4_294_967_296 - u64::from(UNIX_IN_NTP), 0);
    assert_eq!(
        NtpTime::from(wrap),
        NtpTime {
            seconds: 0,
            fraction: 0
        }
    );
    let after = wrap + Duration::from_secs(10);
    assert_eq!(SystemTime::from(NtpTime::from(after)), after);
    assert!(NtpTime::from(after) > NtpTime::from(wrap - Duration::from_secs(10)));
    assert_eq!(
        NtpTime::from(after).secs_after(NtpTime::from(wrap - Duration::from_secs(10))),
        20.0
    );
    // 1969 is inside the window too.
    let before = UNIX_EPOCH - Duration::new(86_400, 250_000_000);
    assert_eq!(SystemTime::from(NtpTime::from(before)), before);
    assert_eq!(NtpTime::from(before).seconds, UNIX_IN_NTP - 86_401);
}

#[test]
fn ordering_and_differences() {
    let a = NtpTime {
        seconds: 3_900_000_000,
        fraction: 5,
    };
    let b = NtpTime {
        seconds: 3_900_000_000,
        fraction: 6,
    };
    assert!(a < b);
    assert_eq!(b.secs_after(a), 1.0 / 4_294_967_296.0);
    assert_eq!(NtpTime::from_bits(a.to_bits()), a);
    assert_eq!(When::At(a).later_of(When::At(b)), When::At(b));
    assert_eq!(When::At(b).later_of(When::Immediate), When::At(b));
    assert_eq!(When::Immediate.later_of(When::Immediate), When::Immediate);
    assert_eq!(When::from_tag(NtpTime::IMMEDIATELY), When::Immediate);
    assert_eq!(When::from_tag(a), When::At(a));
}

#[test]
fn ntp_now_matches_the_system_clock() {
    let before = NtpTime::from(SystemTime::now());
    let now = ntp_now();
    let after = NtpTime::from(SystemTime::now());
    assert!(before <= now && now <= after);
    assert!(after.secs_after(before) < 0.1);
}
