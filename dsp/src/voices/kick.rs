//! The kick drum: the swept sine of [`super::sweep`], with a click and
//! drive.

use super::pool::{pool_instrument, seed, voice_count, Pool};
use super::sweep::{SweepParams, SweepVoice};
use chronus_sequencer::song::KickSpec;

/// The voices of a `kick` instrument.
pub struct KickVoices {
    pool: Pool<SweepVoice>,
}

impl KickVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &KickSpec, rate: f32) -> Self {
        let p = SweepParams {
            freq: spec.freq,
            pitch: spec.pitch,
            pitch_decay: spec.pitch_decay,
            decay: spec.decay,
            click: spec.click as f32,
            drive: spec.drive as f32,
        };
        KickVoices {
            pool: Pool::new(voice_count(spec.polyphony), |i| {
                SweepVoice::new(p, rate, seed(0x4B49, i))
            }),
        }
    }
}

pool_instrument!(KickVoices, KickSpec);

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;
    use crate::Instrument;

    fn kick(poly: usize) -> Box<dyn Instrument> {
        let spec = KickSpec {
            polyphony: poly as f64,
            ..KickSpec::default()
        };
        Box::new(KickVoices::new(&spec, RATE))
    }

    #[test]
    fn kick_passes_the_drum_checks() {
        // -100 dB is reached in 5/3 of the (-60 dB) decay: 0.67 s.
        let len = drum_checks(&kick, 0.7);
        let secs = len as f32 / RATE;
        assert!((0.6..0.7).contains(&secs), "{secs}");
    }

    #[test]
    fn first_sample_is_velocity_times_level() {
        let spec = KickSpec {
            click: 0.0,
            ..KickSpec::default()
        };
        let mut k = KickVoices::new(&spec, RATE);
        k.note_on(1, None, 0.7);
        let out = render(&mut k, 4, 4);
        assert_eq!(out[0], 0.7);
        // With the click it is louder (1.21 undriven), and drive saturates
        // it back towards the level (0.95 at 0.5, 0.7 at 1), never below.
        for (drive, least) in [(0.0, 1.1), (0.5, 0.9), (1.0, 0.7 - 1e-6)] {
            let spec = KickSpec {
                click: 1.0,
                drive,
                ..KickSpec::default()
            };
            let mut k = KickVoices::new(&spec, RATE);
            k.note_on(1, None, 0.7);
            let first = render(&mut k, 1, 1)[0];
            assert!(first > least, "drive {drive}: {first}");
        }
    }

    #[test]
    fn sweep_ends_at_the_resting_frequency() {
        let spec = KickSpec {
            freq: 50.0,
            decay: 2.0,
            ..KickSpec::default()
        };
        let mut k = KickVoices::new(&spec, RATE);
        k.note_on(1, None, 1.0);
        let out = render(&mut k, (1.0 * RATE) as usize, 64);
        // 0.4 s = 10 time constants into the sweep; measure 0.4 .. 1.0 s.
        let f = zero_cross_freq(&out[(0.4 * RATE) as usize..], RATE);
        println!("kick end frequency {f:.3} Hz (rest 50 Hz)");
        assert!((f / 50.0 - 1.0).abs() < 0.02, "{f}");
        // Early on it is far higher: the sweep starts three octaves up.
        let early = zero_cross_freq(&out[..(0.01 * RATE) as usize], RATE);
        assert!(early > 200.0, "{early}");
    }

    #[test]
    fn a_note_retunes_the_kick() {
        let spec = KickSpec {
            decay: 2.0,
            click: 0.0,
            ..KickSpec::default()
        };
        let mut k = KickVoices::new(&spec, RATE);
        k.note_on(1, Some(45.0), 1.0); // A2 = 110 Hz
        let out = render(&mut k, (1.0 * RATE) as usize, 64);
        let f = zero_cross_freq(&out[(0.5 * RATE) as usize..], RATE);
        assert!((f / 110.0 - 1.0).abs() < 0.01, "{f}");
    }

    #[test]
    fn drive_saturates_but_stays_bounded() {
        let spec = KickSpec {
            drive: 1.0,
            click: 1.0,
            ..KickSpec::default()
        };
        let mut k = KickVoices::new(&spec, RATE);
        k.note_on(1, None, 1.0);
        let out = render(&mut k, 4800, 64);
        assert!(peak(&out) <= 1.0 + 1e-6);
    }
}
