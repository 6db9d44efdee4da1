//! Eight lanes of `f32` as one value, for kernels whose natural width is
//! a group of eight voices. A loop over a slice of lanes is vectorised as
//! wide as the compiler likes: at AVX2 it took 32 lanes a step, so a bank
//! of 8 or 16 lanes ran one lane at a time. An `F8`'s operations are
//! fixed loops of eight, which become one vector operation at AVX2 and
//! AVX-512 and two at the baseline, whatever the number of lanes. With its
//! ladder a plain loop, the synth bank rendered four voices (eight lanes)
//! at 207x real time at AVX2; with the ladder in `F8`s, at 648-678x
//! (`voices/synth/cost.rs`).

use crate::math::tanh_approx;

/// Eight lanes of `f32`, each operation lane by lane (which the compiler
/// turns into one vector operation, or two at the baseline).
#[derive(Clone, Copy)]
pub(crate) struct F8(pub(crate) [f32; 8]);

impl F8 {
    /// Lanes `o..o + 8` of `a`.
    #[inline(always)]
    pub(crate) fn at(a: &[f32], o: usize) -> F8 {
        let mut v = [0.0; 8];
        v.copy_from_slice(&a[o..o + 8]);
        F8(v)
    }

    /// Store into lanes `o..o + 8` of `a`.
    #[inline(always)]
    pub(crate) fn put(self, a: &mut [f32], o: usize) {
        a[o..o + 8].copy_from_slice(&self.0);
    }

    /// [`tanh_approx`] of each lane.
    #[inline(always)]
    pub(crate) fn tanh(self) -> F8 {
        F8(self.0.map(tanh_approx))
    }
}

macro_rules! lanewise {
    ($trait:ident, $f:ident, $op:tt) => {
        impl std::ops::$trait for F8 {
            type Output = F8;
            #[inline(always)]
            fn $f(self, o: F8) -> F8 {
                let mut v = self.0;
                for (a, b) in v.iter_mut().zip(o.0) {
                    *a $op b;
                }
                F8(v)
            }
        }
    };
}
lanewise!(Add, add, +=);
lanewise!(Sub, sub, -=);
lanewise!(Mul, mul, *=);
