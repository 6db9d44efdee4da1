//! Params glide, clamp, and survive a hot reload.

mod common;
use common::*;

#[test]
fn set_param_ramps_without_steps() {
    let d = def("param level = 0 in 0..1\noutput out = level");
    let mut m = d.build(RATE);
    m.set_param(0, 1.0, 480);
    assert_eq!(m.param(0), 1.0);
    let x = render_blocks(&mut m, 0, 1000, &[64, 17]);
    let largest = x
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(x[0], f32::max);
    // A linear glide over 480 frames: every step 1/480 (to rounding).
    assert!(largest <= 1.0 / 480.0 * 1.001, "largest step {largest}");
    assert!((x[239] - 0.5).abs() < 1e-3, "halfway: {}", x[239]);
    assert_eq!(x[479], 1.0);
    assert!(x[479..].iter().all(|&v| v == 1.0));
    // Clamped to the range; NaN and unknown indices ignored.
    m.set_param(0, 5.0, 0);
    assert_eq!(m.param(0), 1.0);
    m.set_param(0, f32::NAN, 10);
    m.set_param(7, 0.5, 10);
    assert_eq!(m.param(0), 1.0);
    assert_eq!(m.param(7), 0.0);
}

#[test]
fn a_param_swept_through_a_filter_cutoff_makes_no_click() {
    let d = def("param c = 200 in 20..20000\noutput out = saw(110) >> lowpass(c, 0.2)");
    let mut m = d.build(RATE);
    render_blocks(&mut m, 0, 4800, &[64]);
    m.set_param(0, 8000.0, 2400);
    let x = render_blocks(&mut m, 0, 9600, &[64]);
    let jump = |x: &[f32]| {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    };
    let largest = jump(&x);
    // The steepest the saw gets through the filter at the sweep's top,
    // held there: the sweep itself adds no bigger jump.
    let mut held = def("output out = saw(110) >> lowpass(8000, 0.2)").build(RATE);
    let steady = jump(&render_blocks(&mut held, 0, 9600, &[64]));
    eprintln!("sweep: largest jump {largest}, held at the top: {steady}");
    assert!(
        largest <= steady * 1.02,
        "largest jump {largest} > {steady}"
    );
    assert!(x.iter().all(|s| s.is_finite()));
}

#[test]
fn take_state_from_keeps_params_by_name() {
    let old_def = def("param a = 0.1 in 0..1\nparam b = 10 in 0..100\noutput out = a * b");
    let mut old = old_def.build(RATE);
    old.set_param(0, 0.7, 0);
    old.set_param(1, 90.0, 0);
    // Reordered, one new param, and b's range narrowed.
    let new_def = def(
        "param c = 3 in 0..5\nparam b = 5 in 0..50\nparam a = 0.2 in 0..1\noutput out = a + b + c",
    );
    let mut new = new_def.build(RATE);
    new.take_state_from(&old);
    let (a, b, c) = (
        new_def.param_index("a").unwrap_or(99),
        new_def.param_index("b").unwrap_or(99),
        new_def.param_index("c").unwrap_or(99),
    );
    assert_eq!(new.param(a), 0.7);
    assert_eq!(new.param(b), 50.0, "clamped to the new range");
    assert_eq!(new.param(c), 3.0, "a new param keeps its default");
    new.render(8);
    assert!(
        (new.output(0)[0] - 53.7).abs() < 1e-4,
        "{}",
        new.output(0)[0]
    );
}

#[test]
fn reset_clears_state_and_outputs_stay_finite() {
    let d = def(
        "input in\noutput out = (in / 0.000001 * 1e38) >> lowpass(500, 0.9)\noutput raw = saw(100)",
    );
    let mut m = d.build(RATE);
    m.input_mut(0).fill(1.0);
    m.render(64);
    assert!(m.output(0).iter().all(|s| s.is_finite()), "inf becomes 0");
    m.input_mut(0).fill(0.0);
    m.render(64);
    m.render(64);
    assert!(m.output(0).iter().all(|s| s.is_finite()));
    let first = {
        m.reset();
        m.render(16);
        m.output(1).to_vec()
    };
    m.reset();
    m.render(16);
    assert_eq!(m.output(1), &first[..], "reset restarts the oscillator");
    assert!(m.output(5).is_empty());
    assert_eq!(m.input_mut(9).len(), 64);
}
