//! One mixer track: an instrument, its insert effects, gain and pan.

use chronus_dsp::math::{db_to_gain, pan_gains};
use chronus_dsp::voices::calibration;
use chronus_dsp::{build_effect, build_instrument, Effect, Instrument, MAX_BLOCK};
use chronus_sequencer::song::Track as TrackSpec;

/// A track as the audio thread holds it: everything allocated up front.
pub struct Track {
    /// The track's name (for reports; never touched on the audio thread).
    pub name: String,
    instrument: Box<dyn Instrument>,
    effects: Vec<Box<dyn Effect>>,
    gain_left: f32,
    gain_right: f32,
    mono: [f32; MAX_BLOCK],
    left: [f32; MAX_BLOCK],
    right: [f32; MAX_BLOCK],
}

impl Track {
    /// Build the track for `spec` at `rate` Hz. Allocates: control thread.
    pub fn new(spec: &TrackSpec, rate: f32) -> Self {
        let gain = db_to_gain(spec.spec.gain_db()) * f64::from(calibration(&spec.spec));
        let (pl, pr) = pan_gains(spec.spec.pan());
        // Equal-power pan, normalised so that centre is unity gain per side.
        let norm = std::f32::consts::SQRT_2;
        Track {
            name: spec.name.clone(),
            instrument: build_instrument(&spec.spec, rate),
            effects: spec
                .spec
                .effects()
                .iter()
                .map(|fx| build_effect(fx, rate))
                .collect(),
            gain_left: (gain as f32) * pl * norm,
            gain_right: (gain as f32) * pr * norm,
            mono: [0.0; MAX_BLOCK],
            left: [0.0; MAX_BLOCK],
            right: [0.0; MAX_BLOCK],
        }
    }

    /// The instrument, to apply events to. Audio thread safe.
    pub fn instrument(&mut self) -> &mut dyn Instrument {
        self.instrument.as_mut()
    }

    /// Render `frames` frames and add them into `left`/`right`.
    /// Audio thread safe.
    pub fn render_add(&mut self, left: &mut [f32], right: &mut [f32]) {
        let frames = left.len().min(MAX_BLOCK);
        let mono = &mut self.mono[..frames];
        self.instrument.render(mono);
        if self.effects.is_empty() {
            for ((l, r), m) in left.iter_mut().zip(right.iter_mut()).zip(mono.iter()) {
                *l += m * self.gain_left;
                *r += m * self.gain_right;
            }
            return;
        }
        let (tl, tr) = (&mut self.left[..frames], &mut self.right[..frames]);
        tl.copy_from_slice(mono);
        tr.copy_from_slice(mono);
        for fx in &mut self.effects {
            fx.process(tl, tr);
        }
        for (i, (l, r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
            *l += tl[i] * self.gain_left;
            *r += tr[i] * self.gain_right;
        }
    }

    /// Voices sounding now.
    pub fn active_voices(&self) -> usize {
        self.instrument.active_voices()
    }

    /// Silence everything: voices and effect tails.
    pub fn reset(&mut self) {
        self.instrument.reset();
        for fx in &mut self.effects {
            fx.reset();
        }
    }
}
