//! Runs a stereo (2 in, 2 out) fundsp graph on our in-place stereo blocks.

use super::{blend, Mix};
use fundsp::prelude::{AudioUnit, BufferArray, U2};
use fundsp::MAX_BUFFER_SIZE;

/// A boxed fundsp unit with its own input and output buffers (inline arrays,
/// so processing touches no heap beyond what the unit allocated in `new`).
pub(super) struct FundspStereo {
    unit: Box<dyn AudioUnit>,
    input: BufferArray<U2>,
    output: BufferArray<U2>,
}

impl FundspStereo {
    /// Take `unit` (2 inputs, 2 outputs), set its sample rate and preallocate.
    pub(super) fn new(mut unit: Box<dyn AudioUnit>, rate: f32) -> Self {
        assert_eq!((unit.inputs(), unit.outputs()), (2, 2));
        unit.set_sample_rate(f64::from(rate));
        unit.allocate();
        unit.reset();
        FundspStereo {
            unit,
            input: BufferArray::new(),
            output: BufferArray::new(),
        }
    }

    /// Run the unit over the block and blend its output into it by `mix`
    /// (advanced per frame). A fully dry mix leaves the block untouched (and
    /// the unit idle). Audio-thread safe.
    pub(super) fn process(&mut self, mix: &mut Mix, left: &mut [f32], right: &mut [f32]) {
        if mix.is_dry() {
            return;
        }
        for (l, r) in left
            .chunks_mut(MAX_BUFFER_SIZE)
            .zip(right.chunks_mut(MAX_BUFFER_SIZE))
        {
            let n = l.len();
            self.input.channel_f32_mut(0)[..n].copy_from_slice(l);
            self.input.channel_f32_mut(1)[..n].copy_from_slice(r);
            self.unit
                .process(n, &self.input.buffer_ref(), &mut self.output.buffer_mut());
            let mut wet = [0.0f32; MAX_BUFFER_SIZE];
            mix.fill(&mut wet[..n]);
            let wet_l = &self.output.channel_f32(0)[..n];
            for ((x, y), w) in l.iter_mut().zip(wet_l).zip(&wet) {
                *x = blend(*x, *y, *w);
            }
            let wet_r = &self.output.channel_f32(1)[..n];
            for ((x, y), w) in r.iter_mut().zip(wet_r).zip(&wet) {
                *x = blend(*x, *y, *w);
            }
        }
    }

    /// Clear the unit's state (delay lines, LFO time). Audio-thread safe.
    pub(super) fn reset(&mut self) {
        self.unit.reset();
    }
}
