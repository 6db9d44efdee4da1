//! Runtime CPU dispatch: the inner loops compiled for the vector units the
//! CPU has, chosen when the program runs, so the default build (x86-64's
//! baseline, SSE2) runs as fast as one built with `-C target-cpu=native`.
//!
//! A kernel is written once, in [`versions!`], which compiles it three
//! times: for the baseline, with AVX2 and FMA enabled, and with AVX-512
//! enabled; each call runs the widest copy the CPU can. The copies do the
//! same IEEE operations in the same order, only more lanes at a time (Rust
//! never fuses a multiply and an add unless asked, so enabling FMA changes
//! no result): the sound is the same bit for bit at every level, which the
//! root crate's `tests/simd.rs` checks by rendering the demo songs at each.
//!
//! By default kernels run at [`preferred`]: AVX2 where the CPU has it,
//! even where it also has AVX-512. On the AMD EPYC (Zen 4) these machines
//! run, AVX-512 executes on 256-bit units and its gathers are slower than
//! the loads AVX2 code does instead: the reference voice bank renders at
//! 72x real time at `avx512` against 94x at `avx2`, fastest of nine runs
//! each in one run (`voices/synth/cost.rs`). `CHRONUS_SIMD=avx512` asks
//! for it (on a CPU with full-width AVX-512 it may pay).
//!
//! `CHRONUS_SIMD=baseline|avx2|avx512` chooses the level (to compare them in a
//! benchmark, or in that test); [`init`] reads it, and every engine calls
//! [`init`] when it is built, off the audio thread.

use std::sync::atomic::{AtomicU8, Ordering};

pub(crate) mod lanes;

/// The instruction sets a kernel can run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64).
    Baseline = 0,
    /// AVX2 with FMA (x86-64: Haswell, Zen and later).
    Avx2 = 1,
    /// AVX-512 F, VL, BW and DQ (x86-64: Skylake-SP, Ice Lake, Zen 4).
    Avx512 = 2,
}

impl Level {
    /// The level's name, as `CHRONUS_SIMD` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// The level `name` spells, if any.
    pub fn from_name(name: &str) -> Option<Level> {
        [Level::Baseline, Level::Avx2, Level::Avx512]
            .into_iter()
            .find(|l| l.name() == name)
    }
}

const UNSET: u8 = u8::MAX;
static LEVEL: AtomicU8 = AtomicU8::new(UNSET);

/// The widest level this CPU runs. No allocation, no system call (the
/// standard library caches what `cpuid` said).
pub fn detected() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

/// The level kernels run at unless told otherwise: the CPU's widest, but
/// AVX2 rather than AVX-512 (see the module docs for why).
pub fn preferred() -> Level {
    detected().min(Level::Avx2)
}

/// The level kernels run at: what [`init`] or [`set`] chose, or else
/// [`preferred`].
/// Audio thread safe (an atomic load).
#[inline]
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        0 => Level::Baseline,
        1 => Level::Avx2,
        2 => Level::Avx512,
        _ => {
            let level = preferred();
            LEVEL.store(level as u8, Ordering::Relaxed);
            level
        }
    }
}

/// Choose the level: `CHRONUS_SIMD` when that names one the CPU has (the
/// CPU's widest when it names a wider one), else [`preferred`] (an unknown
/// name is ignored; see [`env_warning`]). Returns the level chosen. Reads the environment: call
/// it off the audio thread.
pub fn init() -> Level {
    let cpu = detected();
    let asked = std::env::var("CHRONUS_SIMD")
        .ok()
        .and_then(|name| Level::from_name(name.trim()));
    let level = asked.map_or(preferred(), |asked| asked.min(cpu));
    LEVEL.store(level as u8, Ordering::Relaxed);
    level
}

/// Run kernels at `level`, capped at what the CPU has (to compare levels
/// in one run of a benchmark); the level set. Audio thread safe.
pub fn set(level: Level) -> Level {
    let level = level.min(detected());
    LEVEL.store(level as u8, Ordering::Relaxed);
    level
}

/// What is wrong with `CHRONUS_SIMD`, in one line, if it is set to a name
/// no level has or to a level this CPU lacks.
pub fn env_warning() -> Option<String> {
    let name = std::env::var("CHRONUS_SIMD").ok()?;
    let cpu = detected();
    match Level::from_name(name.trim()) {
        None => Some(format!(
            "CHRONUS_SIMD={name}: expected baseline, avx2 or avx512; using {}",
            preferred().name()
        )),
        Some(asked) if asked > cpu => Some(format!(
            "CHRONUS_SIMD={name}: this CPU has only {}; using it",
            cpu.name()
        )),
        Some(_) => None,
    }
}

/// Define a function whose body is compiled for every [`Level`] and run at
/// the widest the CPU has (see the module docs). The body must be plain
/// safe code; what it calls is inlined into each copy where the compiler
/// can.
#[macro_export]
#[doc(hidden)]
macro_rules! versions {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn generic($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) $(-> $ret)? {
                generic($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
            fn avx512($($arg: $ty),*) $(-> $ret)? {
                generic($($arg),*)
            }
            match $crate::simd::level() {
                // SAFETY: `level()` reports only what the CPU has.
                #[cfg(target_arch = "x86_64")]
                $crate::simd::Level::Avx512 => unsafe { avx512($($arg),*) },
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                $crate::simd::Level::Avx2 => unsafe { avx2($($arg),*) },
                _ => generic($($arg),*),
            }
        }
    };
}

pub use crate::versions;

#[cfg(test)]
mod tests {
    use super::*;

    versions! {
        /// A kernel: a dot product in eight partial sums.
        fn dot(a: &[f32], b: &[f32]) -> f32 {
            let mut acc = [0.0f32; 8];
            for (a, b) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
                for j in 0..8 {
                    acc[j] += a[j] * b[j];
                }
            }
            acc.iter().sum()
        }
    }

    #[test]
    fn names_round_trip_and_the_level_is_what_the_cpu_has() {
        for l in [Level::Baseline, Level::Avx2, Level::Avx512] {
            assert_eq!(Level::from_name(l.name()), Some(l));
        }
        assert_eq!(Level::from_name("sse9"), None);
        assert!(level() <= detected());
        let a: Vec<f32> = (0..64).map(|i| i as f32 * 0.25).collect();
        assert_eq!(dot(&a, &a), a.iter().map(|x| x * x).sum::<f32>());
    }
}
