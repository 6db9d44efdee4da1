//! `render`, `set_param` and everything on the audio path allocate nothing:
//! a module using every unit is built, then played, changed and reset
//! inside `assert_no_alloc`, which counts every allocation on the thread.

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus_modlang::{parse, template};

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn the_audio_path_does_not_allocate() {
    let src = "input in\nparam f = 220 in 20..2000\nparam c = 900 in 20..20000\n\
               let lfo = sine(0.5)\n\
               let o = sine(f) + saw(f * 1.01) + square(f / 2) + triangle(f * 2 + 300 * lfo)\n\
               let n = noise() + pink()\n\
               let x = (o + n * 0.1 + in) >> lowpass(c, 0.3) >> highpass(30, 0) >> bandpass(c * 2, lfo)\n\
               let d = delay(x, 0.3 + 0.2 * lfo) + delay(x, 1)\n\
               output out = mix(tanh(x), clip(d), abs(lfo)) * 0.5\n\
               output side = min(x, max(d, -0.5)) / (2 - lfo)";
    let defs = [
        parse(src, "all.cm", "all").unwrap_or_else(|e| panic!("{e}")),
        parse(&template("t"), "t.cm", "t").unwrap_or_else(|e| panic!("{e}")),
    ];
    let mut modules: Vec<_> = defs.iter().map(|d| d.build(48_000.0)).collect();
    let old = defs[0].build(48_000.0);
    reset_violation_count();
    assert_no_alloc(|| {
        for m in modules.iter_mut() {
            for round in 0..50u32 {
                m.input_mut(0).fill(0.1);
                m.set_param(0, 100.0 + round as f32 * 30.0, 240);
                m.set_param(1, 20_000.0 / (1.0 + round as f32), 0);
                m.render(64);
                m.render(17);
                m.render(47);
                std::hint::black_box(m.output(0));
            }
            m.reset();
            m.take_state_from(&old);
            m.render(64);
        }
    });
    assert_eq!(violation_count(), 0, "allocations on the audio path");
}
