//! Voice allocation shared by the drum and FM banks, plus small helpers.
//!
//! A [`Pool`] owns a fixed number of voices allocated up front. A new note
//! takes a free voice (the lowest-numbered one) or, when every voice sounds,
//! steals the one started longest ago.

/// One voice of a bank. Every method is audio-thread safe.
pub trait Voice: Send {
    /// Start a note from a clean state (phases and filters reset), so two
    /// voices started alike render identically. `pitch` is a MIDI note.
    fn start(&mut self, pitch: Option<f32>, velocity: f32);

    /// Start a note on a voice that is still sounding (all voices busy).
    /// By default a fresh start; pitched voices override it to glide on
    /// from the current phase and level, which does not click.
    fn steal(&mut self, pitch: Option<f32>, velocity: f32) {
        self.start(pitch, velocity);
    }

    /// Close the gate. One-shot drums ignore it.
    fn release(&mut self) {}

    /// Fade out within a few milliseconds (choked). By default nothing.
    fn choke(&mut self) {}

    /// Add the next `out.len()` samples into `out`. Once the voice ends it
    /// adds nothing (the caller only calls it while active).
    fn add_to(&mut self, out: &mut [f32]);

    /// True while the voice sounds.
    fn is_active(&self) -> bool;

    /// Silence at once.
    fn stop(&mut self);

    /// Set parameter `name` (a name of the bank's spec table, `value`
    /// already clamped into its range), reached over `ramp` frames where it
    /// is smoothed. Each voice type documents which parameters reach a
    /// sounding voice and which apply from its next note. Unknown names are
    /// ignored (`gain`, `pan` and `polyphony` are not the voice's).
    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        let _ = (name, value, ramp);
    }
}

/// A voice with the note id that owns it and its start time.
struct VoiceSlot<V> {
    voice: V,
    id: u32,
    started: u64,
}

/// A fixed set of voices with oldest-first stealing.
pub struct Pool<V> {
    slots: Box<[VoiceSlot<V>]>,
    clock: u64,
}

/// Clamp `spec.polyphony`-style voice counts into 1..=256.
pub fn voice_count(polyphony: f64) -> usize {
    if polyphony.is_nan() {
        1
    } else {
        polyphony.round().clamp(1.0, 256.0) as usize
    }
}

/// A per-voice noise seed (never zero), distinct per instrument `salt`.
pub fn seed(salt: u32, index: usize) -> u32 {
    let s = (index as u32)
        .wrapping_add(1)
        .wrapping_mul(0x9E37_79B9)
        .wrapping_add(salt.wrapping_mul(0x85EB_CA6B));
    let s = s ^ (s >> 15);
    if s == 0 {
        0x2545_F491
    } else {
        s
    }
}

/// A usable MIDI pitch, or `None` when absent or not finite.
pub fn pitch_of(pitch: Option<f32>) -> Option<f64> {
    pitch.filter(|p| p.is_finite()).map(f64::from)
}

/// Velocity clamped into 0..=1 (NaN is 0).
pub fn velocity_of(velocity: f32) -> f32 {
    if velocity.is_nan() {
        0.0
    } else {
        velocity.clamp(0.0, 1.0)
    }
}

impl<V: Voice> Pool<V> {
    /// `count` voices built by `make(index)`, all idle. Allocates.
    pub fn new(count: usize, mut make: impl FnMut(usize) -> V) -> Self {
        let slots = (0..count.max(1))
            .map(|i| VoiceSlot {
                voice: make(i),
                id: 0,
                started: 0,
            })
            .collect();
        Pool { slots, clock: 0 }
    }

    /// Start a note on a free voice, or steal the oldest. Audio-thread safe.
    pub fn note_on(&mut self, id: u32, pitch: Option<f32>, velocity: f32) {
        self.clock += 1;
        let mut pick = 0;
        let mut oldest = u64::MAX;
        for (i, slot) in self.slots.iter().enumerate() {
            if !slot.voice.is_active() {
                pick = i;
                break;
            }
            if slot.started < oldest {
                oldest = slot.started;
                pick = i;
            }
        }
        let slot = &mut self.slots[pick];
        slot.id = id;
        slot.started = self.clock;
        if slot.voice.is_active() {
            slot.voice.steal(pitch, velocity);
        } else {
            slot.voice.start(pitch, velocity);
        }
    }

    /// Release every sounding voice started with `id`. Audio-thread safe.
    pub fn note_off(&mut self, id: u32) {
        for slot in self.slots.iter_mut() {
            if slot.id == id && slot.voice.is_active() {
                slot.voice.release();
            }
        }
    }

    /// Overwrite `out` with the sum of the voices. Audio-thread safe.
    pub fn render(&mut self, out: &mut [f32]) {
        out.fill(0.0);
        for slot in self.slots.iter_mut() {
            if slot.voice.is_active() {
                slot.voice.add_to(out);
            }
        }
    }

    /// Set a parameter on every voice, sounding or idle ([`Voice::set_param`]).
    /// Audio-thread safe.
    pub fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        for slot in self.slots.iter_mut() {
            slot.voice.set_param(name, value, ramp);
        }
    }

    /// Call `f` on every sounding voice. Audio-thread safe.
    pub fn each_voice(&mut self, mut f: impl FnMut(&mut V)) {
        for slot in self.slots.iter_mut() {
            if slot.voice.is_active() {
                f(&mut slot.voice);
            }
        }
    }

    /// Number of sounding voices.
    pub fn active_voices(&self) -> usize {
        self.slots.iter().filter(|s| s.voice.is_active()).count()
    }

    /// Silence every voice. Audio-thread safe.
    pub fn reset(&mut self) {
        for slot in self.slots.iter_mut() {
            slot.voice.stop();
        }
    }

    /// Ids of the voices, in slot order, `None` for idle ones (tests).
    #[cfg(test)]
    pub fn ids(&self) -> Vec<Option<u32>> {
        self.slots
            .iter()
            .map(|s| s.voice.is_active().then_some(s.id))
            .collect()
    }
}

/// Implements [`crate::Instrument`] for a bank struct with a `pool` field,
/// whose parameters are those of the spec type `$spec`.
/// With a third argument, `$before(&mut self.pool)` runs before each note
/// starts (a sampler's cut groups).
macro_rules! pool_instrument {
    ($bank:ty, $spec:ty) => {
        $crate::voices::pool::pool_instrument!($bank, $spec, |_pool| {});
    };
    ($bank:ty, $spec:ty, $before:expr) => {
        impl $crate::Instrument for $bank {
            /// Start a hit/note, stealing the oldest voice if all sound.
            /// Audio-thread safe (no allocation, locks or system calls).
            fn note_on(&mut self, id: u32, pitch: Option<f32>, velocity: f32) {
                let before = $before;
                before(&mut self.pool);
                self.pool.note_on(id, pitch, velocity);
            }

            /// Release the note `id` (unknown ids are ignored). Audio-thread safe.
            fn note_off(&mut self, id: u32) {
                self.pool.note_off(id);
            }

            /// Overwrite `out` with the mono sum of the voices.
            /// Audio-thread safe (no allocation, locks or system calls).
            fn render(&mut self, out: &mut [f32]) {
                self.pool.render(out);
            }

            fn active_voices(&self) -> usize {
                self.pool.active_voices()
            }

            /// Silence every voice at once. Audio-thread safe.
            fn reset(&mut self) {
                self.pool.reset();
            }

            /// Choke every sounding voice. Audio-thread safe.
            fn choke(&mut self) {
                self.pool
                    .each_voice(|v| $crate::voices::pool::Voice::choke(v));
            }

            /// Pass the bend to every voice, as the parameter `bend`
            /// (pitched voices follow it, drums ignore it). Audio-thread safe.
            fn set_bend(&mut self, semitones: f32, ramp: u32) {
                if semitones.is_finite() {
                    self.pool
                        .set_param("bend", semitones.clamp(-48.0, 48.0), ramp);
                }
            }

            /// Clamp and pass the parameter to every voice (see the voice
            /// type's docs for what reaches sounding notes). Audio-thread safe.
            fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
                if let Some((name, v)) = $crate::live::clamp_param(<$spec>::PARAMS, param, value) {
                    self.pool.set_param(name, v, ramp);
                }
            }
        }
    };
}
pub(crate) use pool_instrument;

/// Shared measurement helpers for the voice tests.
#[cfg(test)]
pub mod testing {
    use crate::Instrument;

    /// Sample rate used by the tests.
    pub const RATE: f32 = 48_000.0;

    /// Render `n` frames in blocks of `block`.
    pub fn render(inst: &mut dyn Instrument, n: usize, block: usize) -> Vec<f32> {
        let mut out = vec![f32::NAN; n];
        for chunk in out.chunks_mut(block) {
            inst.render(chunk);
        }
        out
    }

    pub use crate::measure::rising_crossings;

    /// Frequency from rising zero crossings between the first and last.
    pub fn zero_cross_freq(x: &[f32], rate: f32) -> f64 {
        let f = crate::measure::zero_crossing_freq(x, f64::from(rate));
        assert!(f.is_finite(), "too few crossings");
        f
    }

    /// Amplitude of the component at `freq` (Goertzel over all of `x`).
    pub fn goertzel(x: &[f32], freq: f64, rate: f32) -> f64 {
        let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
        let c = 2.0 * w.cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &v in x {
            let s0 = f64::from(v) + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        let power = s1 * s1 + s2 * s2 - c * s1 * s2;
        2.0 * power.max(0.0).sqrt() / x.len() as f64
    }

    /// Peak absolute value.
    pub fn peak(x: &[f32]) -> f32 {
        x.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// Index of the last non-zero sample, if any.
    pub fn last_nonzero(x: &[f32]) -> Option<usize> {
        x.iter().rposition(|&v| v != 0.0)
    }

    /// The checks every drum must pass, on banks built by `make`:
    /// silence before the hit, a non-zero first sample, an end in exact
    /// zeros within `max_seconds`, block-size independence, stealing, and
    /// harmless unknown note-offs. Returns the length of the hit in frames.
    pub fn drum_checks(make: &dyn Fn(usize) -> Box<dyn Instrument>, max_seconds: f32) -> usize {
        let n = (max_seconds * RATE) as usize;
        let mut d = make(4);
        assert_eq!(d.active_voices(), 0);
        let pre = render(d.as_mut(), 100, 64);
        assert!(pre.iter().all(|&v| v == 0.0), "silence before the hit");
        d.note_off(1234);
        d.note_on(1, None, 0.8);
        assert_eq!(d.active_voices(), 1);
        let hit = render(d.as_mut(), n, 64);
        assert!(hit[0].abs() > 1e-4, "first sample {}", hit[0]);
        assert!(hit.iter().all(|v| v.is_finite()));
        assert_eq!(d.active_voices(), 0, "voice ends within {max_seconds} s");
        let end = last_nonzero(&hit).unwrap();
        let post = render(d.as_mut(), 1000, 64);
        assert!(
            post.iter().all(|&v| v == 0.0),
            "exact silence after the hit"
        );
        d.note_off(1);
        d.note_off(99);

        // The same hit again on a fresh bank: identical at any block size,
        // and a pitched hit too.
        let mut a = make(4);
        let mut b = make(4);
        a.note_on(7, Some(64.0), 1.0);
        b.note_on(7, Some(64.0), 1.0);
        let ra = render(a.as_mut(), 9000, 64);
        let rb = render(b.as_mut(), 9000, 7);
        assert_eq!(ra, rb, "block size independence");
        assert!(ra[0].abs() > 1e-4);

        // Velocity scales linearly.
        let mut c = make(4);
        c.note_on(7, Some(64.0), 0.5);
        let rc = render(c.as_mut(), 9000, 64);
        for (x, y) in ra.iter().zip(&rc) {
            assert!((x * 0.5 - y).abs() <= 1e-6 * x.abs().max(1.0), "{x} {y}");
        }

        // Stealing: polyphony 2, three hits.
        let mut s = make(2);
        s.note_on(1, None, 1.0);
        render(s.as_mut(), 10, 64);
        s.note_on(2, None, 1.0);
        render(s.as_mut(), 10, 64);
        s.note_on(3, None, 1.0);
        assert_eq!(s.active_voices(), 2);
        s.reset();
        assert_eq!(s.active_voices(), 0);
        assert!(render(s.as_mut(), 64, 64).iter().all(|&v| v == 0.0));
        end + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voice that counts samples and ends after `len`.
    struct Dummy {
        left: usize,
        gate: bool,
    }

    impl Voice for Dummy {
        fn start(&mut self, _pitch: Option<f32>, _velocity: f32) {
            self.left = 100;
            self.gate = true;
        }
        fn release(&mut self) {
            self.gate = false;
        }
        fn add_to(&mut self, out: &mut [f32]) {
            for o in out {
                if self.left == 0 {
                    break;
                }
                *o += 1.0;
                self.left -= 1;
            }
        }
        fn is_active(&self) -> bool {
            self.left > 0
        }
        fn stop(&mut self) {
            self.left = 0;
        }
    }

    fn pool(n: usize) -> Pool<Dummy> {
        Pool::new(n, |_| Dummy {
            left: 0,
            gate: false,
        })
    }

    #[test]
    fn steals_the_oldest_voice() {
        let mut p = pool(2);
        p.note_on(1, None, 1.0);
        p.note_on(2, None, 1.0);
        p.note_on(3, None, 1.0);
        assert_eq!(p.active_voices(), 2);
        assert_eq!(p.ids(), vec![Some(3), Some(2)]);
        p.note_on(4, None, 1.0);
        assert_eq!(p.ids(), vec![Some(3), Some(4)]);
        p.note_off(77);
        p.note_off(3);
        assert!(!p.slots[0].voice.gate);
        assert!(p.slots[1].voice.gate);
    }

    #[test]
    fn free_voices_are_used_before_stealing() {
        let mut p = pool(3);
        p.note_on(1, None, 1.0);
        p.note_on(2, None, 1.0);
        let mut out = [0.0; 64];
        p.render(&mut out);
        p.render(&mut out);
        assert_eq!(p.active_voices(), 0);
        assert_eq!(out[35], 2.0);
        assert_eq!(out[36], 0.0);
        p.note_on(3, None, 1.0);
        assert_eq!(p.ids(), vec![Some(3), None, None]);
    }

    #[test]
    fn seeds_are_distinct_and_non_zero() {
        let s: Vec<u32> = (0..256).map(|i| seed(7, i)).collect();
        for (i, a) in s.iter().enumerate() {
            assert_ne!(*a, 0);
            assert!(!s[i + 1..].contains(a));
        }
    }
}
