//! The tom: a sine with a short pitch drop (the kick's voice, no click).
//!
//! Live parameters as the kick's: `decay` and `pitch_decay` reach sounding
//! hits, `freq` and `pitch` apply from the next hit.

use super::pool::{pool_instrument, seed, voice_count, Pool};
use super::sweep::{SweepParams, SweepVoice};
use chronus_sequencer::song::TomSpec;

/// The voices of a `tom` instrument.
pub struct TomVoices {
    pool: Pool<SweepVoice>,
}

impl TomVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &TomSpec, rate: f32) -> Self {
        let p = SweepParams {
            freq: spec.freq,
            pitch: spec.pitch,
            pitch_decay: spec.pitch_decay,
            decay: spec.decay,
            click: 0.0,
            drive: 0.0,
        };
        TomVoices {
            pool: Pool::new(voice_count(spec.polyphony), |i| {
                SweepVoice::new(p, rate, seed(0x544F, i))
            }),
        }
    }
}

pool_instrument!(TomVoices, TomSpec);

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;
    use crate::Instrument;

    fn tom(poly: usize) -> Box<dyn Instrument> {
        let spec = TomSpec {
            polyphony: poly as f64,
            ..TomSpec::default()
        };
        Box::new(TomVoices::new(&spec, RATE))
    }

    #[test]
    fn tom_passes_the_drum_checks() {
        // -100 dB in 5/3 of the 0.3 s decay.
        let len = drum_checks(&tom, 0.55);
        let secs = len as f32 / RATE;
        assert!((0.45..0.55).contains(&secs), "{secs}");
    }

    #[test]
    fn tom_drops_a_fifth_to_its_note() {
        let spec = TomSpec {
            decay: 2.0,
            ..TomSpec::default()
        };
        let mut t = TomVoices::new(&spec, RATE);
        t.note_on(1, Some(57.0), 1.0); // A3 = 220 Hz
        let out = render(&mut t, RATE as usize, 64);
        assert_eq!(out[0], 1.0);
        let end = zero_cross_freq(&out[(0.8 * RATE) as usize..], RATE);
        assert!((end / 220.0 - 1.0).abs() < 0.01, "{end}");
        // First 10 ms: near the top of the 7-semitone drop (330 Hz).
        let start = zero_cross_freq(&out[..(0.012 * RATE) as usize], RATE);
        assert!((290.0..335.0).contains(&start), "{start}");
    }
}
