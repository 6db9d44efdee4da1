//! The `chorus` this crate had before its own (kept for the tests, which
//! measure the new design against it): fundsp's 5-voice chorus (the dry signal plus four taps of a
//! cubic-interpolated delay line, each swept by its own fractal-noise LFO),
//! one per channel with different seeds so a mono source comes out wide.
//!
//! The graph is fundsp's `chorus` rebuilt from the same fundsp parts with two
//! changes: the LFO clock is `f64` (fundsp's own `chorus` keeps LFO time in
//! `f32`, which after an hour of running can no longer advance by one
//! 64-frame block exactly: the rate would wobble by several per cent), and
//! the LFO integrates its own phase at a rate it reads from a shared value,
//! so `rate` and `depth` can change while it runs.
//!
//! Mapping: `rate` Hz → the LFOs' base modulation frequency; `depth` 0..1 →
//! the delay sweep of each tap, 0..10 ms. Taps sit at 10, 20, 30 and 40 ms
//! plus their sweep (the delay line is sized for the deepest sweep).
//!
//! Live: all three. `mix` ramps per frame over the ramp asked for. `rate`
//! and `depth` are read by the LFO at its next control point (every 10 ms,
//! jittered by ±25 % as in fundsp) and the LFO interpolates linearly between
//! control points, so a change arrives as a ramp of about 10 ms whatever the
//! `ramp` argument; a new rate changes the LFO's speed, never its phase.

use crate::effects::host::FundspStereo;
use crate::effects::Mix;
use crate::live::clamp_param;
use crate::Effect;
use chronus_sequencer::song::ChorusSpec;
use fundsp::prelude::{
    dc, fractal_noise, hash1, hash2, lerp11, lfo, multitap, pass, An, AudioNode, Shared, U1, U4,
};

/// Spacing of the four taps, in seconds.
const SEPARATION: f64 = 0.010;
/// Delay sweep at `depth = 1`, in seconds.
const MAX_VARIATION: f64 = 0.010;
/// LFO seeds of the left and right voices.
const SEEDS: [u64; 2] = [0x0C40_5E11, 0x51DE_CA75];

/// Stereo chorus. `process` is audio-thread safe.
pub struct Chorus {
    host: FundspStereo,
    mix: Mix,
    /// LFO rate in Hz, read by both channels' LFOs.
    rate: Shared,
    /// Depth 0..1, read by both channels' LFOs.
    depth: Shared,
}

/// Offsets of the four taps' LFO frequencies from `rate`, in Hz (fundsp's).
const TAP_DF: [f64; 4] = [0.0, 0.02, 0.04, 0.06];

/// One channel: fundsp's `chorus(seed, separation, variation, mod_frequency)`
/// with an `f64` LFO clock and live `rate` and `depth`.
/// Output = (input + 4 modulated taps) / 5.
fn voice(
    seed: u64,
    rate: &Shared,
    depth: &Shared,
) -> An<impl AudioNode<Inputs = U1, Outputs = U1>> {
    let sep = SEPARATION;
    let seeds = [seed, hash1(seed), hash2(seed), hash1(seed ^ 0xfedcba)];
    let (rate, depth) = (rate.clone(), depth.clone());
    // Each tap's position in its noise, integrated at the rate of the moment.
    let mut phases = [0.0f64; 4];
    let mut last_t = 0.0f64;
    let lfos = lfo(move |t: f64| {
        if t <= last_t {
            // Reset: back to the start.
            phases = [0.0; 4];
        } else {
            let freq = f64::from(rate.value());
            for (p, df) in phases.iter_mut().zip(TAP_DF) {
                *p += (t - last_t) * (freq + df);
            }
        }
        last_t = t;
        let variation = f64::from(depth.value()) * MAX_VARIATION;
        let sweep = |k: usize| {
            let base = sep * (k + 1) as f64;
            lerp11(
                base,
                base + variation,
                fractal_noise(seeds[k], 8, 0.45, phases[k]),
            )
        };
        (sweep(0), sweep(1), sweep(2), sweep(3))
    })
    .interval(0.01);
    let taps = multitap::<U4>(sep as f32, (sep * 4.0 + MAX_VARIATION) as f32);
    (pass() & ((pass() | lfos) >> taps)) * dc(0.2)
}

impl Chorus {
    /// A chorus for `spec` at `rate` Hz (allocates its delay lines).
    pub fn new(spec: &ChorusSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("chorus", &mut Vec::new());
        let (lfo_rate, depth) = (Shared::new(s.rate as f32), Shared::new(s.depth as f32));
        let unit = voice(SEEDS[0], &lfo_rate, &depth) | voice(SEEDS[1], &lfo_rate, &depth);
        Chorus {
            host: FundspStereo::new(Box::new(unit), rate),
            mix: Mix::new(s.mix),
            rate: lfo_rate,
            depth,
        }
    }
}

impl Effect for Chorus {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.host.process(&mut self.mix, left, right);
    }

    fn reset(&mut self) {
        self.host.reset();
    }

    /// `mix` ramps over `ramp` frames; `rate` and `depth` reach the LFOs at
    /// their next control point (see the module docs). Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(ChorusSpec::PARAMS, param, value) {
            Some(("rate", v)) => self.rate.set_value(v),
            Some(("depth", v)) => self.depth.set_value(v),
            Some(("mix", v)) => {
                let was_idle = self.mix.set(v, ramp);
                if was_idle {
                    self.host.reset();
                }
            }
            _ => {}
        }
    }
}
