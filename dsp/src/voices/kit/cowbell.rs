//! The cowbell: the 808's two square waves (540 and 800 Hz, band-limited
//! with PolyBLEP) through a band-pass at 1 kHz, falling 60 dB in `decay`.

use super::super::hihat::square;
use super::super::pool::{velocity_of, Voice};
use crate::envelope::SILENCE;
use crate::filter::svf::{Svf, SvfCoefs, SvfMode};
use crate::math::fall_60db;

/// The two oscillator frequencies in Hz.
const TONES: [f32; 2] = [540.0, 800.0];
/// Band-pass centre in Hz and resonance.
const BAND: (f32, f32) = (1000.0, 0.6);
/// Output level: a hit at velocity 1 peaks near 0.5 (measured in the test).
const GAIN: f32 = 1.1;

/// One cowbell voice.
pub struct CowbellVoice {
    incs: [f32; 2],
    phases: [f32; 2],
    band: Svf,
    amp: f32,
    decay_coef: f32,
    velocity: f32,
    active: bool,
}

impl CowbellVoice {
    /// A voice tuned by `shift` (a frequency factor), falling 60 dB in
    /// `decay` seconds, at `rate` Hz.
    pub fn new(shift: f32, decay: f64, rate: f32) -> Self {
        CowbellVoice {
            incs: TONES.map(|f| (f * shift / rate).min(0.25)),
            phases: [0.25; 2],
            band: Svf::new(SvfCoefs::new(BAND.0 * shift, BAND.1, rate)),
            amp: 0.0,
            decay_coef: fall_60db(decay.max(1e-3), f64::from(rate)),
            velocity: 0.0,
            active: false,
        }
    }
}

impl Voice for CowbellVoice {
    fn start(&mut self, _pitch: Option<f32>, velocity: f32) {
        self.phases = [0.25; 2];
        self.band.reset();
        self.amp = GAIN;
        self.velocity = velocity_of(velocity);
        self.active = true;
    }

    fn add_to(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            let mut x = 0.0;
            for (t, &dt) in self.phases.iter_mut().zip(&self.incs) {
                x += 0.5 * square(*t, dt);
                *t += dt;
                if *t >= 1.0 {
                    *t -= 1.0;
                }
            }
            *o += self.velocity * self.amp * self.band.process_sample(x, SvfMode::Bandpass);
            self.amp *= self.decay_coef;
            if self.amp < SILENCE * GAIN {
                self.stop();
                break;
            }
        }
    }

    fn is_active(&self) -> bool {
        self.active
    }

    fn stop(&mut self) {
        self.active = false;
        self.amp = 0.0;
    }
}
