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

#[test]
fn the_definition_reports_its_interface() {
    let src = "# drone: two detuned saws through a resonant lowpass.\n\
               # Second line of the description.\n\
               \n\
               # not part of it\n\
               input in                                # an audio input\n\
               param freq   = 110  in 20..2000  \"pitch, Hz\"\n\
               param cutoff = 800  in 20..20000 \"lowpass cutoff, Hz\"\n\
               param q      = 0.3  in 0..1      \"resonance\"\n\
               param bend   = 0    in -1..1\n\
               let osc = saw(freq * (1 + bend * 0.1)) + saw(freq * 1.003)\n\
               output out = (osc * 0.3 + in) >> lowpass(cutoff, q)\n\
               output dry = osc\n";
    let d =
        chronus_modlang::parse(src, "modules/drone.cm", "drone").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.name(), "drone");
    assert_eq!(
        d.doc(),
        "drone: two detuned saws through a resonant lowpass.\nSecond line of the description."
    );
    assert_eq!(d.inputs(), ["in"]);
    assert_eq!(d.outputs(), ["out", "dry"]);
    let names: Vec<&str> = d.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["freq", "cutoff", "q", "bend"]);
    assert_eq!(
        d.params()[1],
        chronus_modlang::ParamDef {
            name: "cutoff".into(),
            default: 800.0,
            min: 20.0,
            max: 20_000.0,
            doc: "lowpass cutoff, Hz".into()
        }
    );
    assert_eq!((d.params()[3].min, d.params()[3].doc.as_str()), (-1.0, ""));
    assert_eq!(d.param_index("q"), Some(2));
    assert_eq!(d.param_index("nope"), None);
    // Constants fold: `bend * 0.1` etc. are ops, `0.3`-scaled sums are one op each.
    assert!(d.op_count() <= 14, "{} ops", d.op_count());
    let mut m = d.build(RATE);
    m.render(64);
    assert_eq!((m.output(0).len(), m.output(1).len()), (64, 64));
}

#[test]
fn constants_fold_and_unused_definitions_cost_nothing() {
    let folded = def("let k = tanh(0.5) * 2 + min(1, 2) - mix(0, 4, 0.25)\noutput out = k");
    assert_eq!(folded.op_count(), 0);
    let mut m = folded.build(RATE);
    m.render(4);
    assert!((m.output(0)[0] - (0.5f32.tanh() * 2.0 + 1.0 - 1.0)).abs() < 1e-6);
    let unused = def("let a = saw(100) >> lowpass(300, 0)\nlet b = noise()\noutput out = sine(5)");
    assert_eq!(unused.op_count(), 1);
    assert_eq!(
        def("param g = 1 in 0..2\noutput out = saw(3) * 1 + 0").op_count(),
        1
    );
}

#[test]
fn modules_can_move_to_the_audio_thread() {
    fn send<T: Send + 'static>(_: &T) {}
    let m = def("output out = saw(110)").build(RATE);
    send(&m);
    let m = std::thread::spawn(move || {
        let mut m = m;
        m.render(64);
        m
    })
    .join();
    assert!(m.is_ok());
}

#[test]
fn hot_reload_continues_the_sound() {
    let src = "param c = 900 in 20..20000\nlet o = saw(110) + square(55) * 0.3 + pink() * 0.05\n\
               let f = o >> lowpass(c * (1 + 0.5 * sine(2)), 0.4)\n\
               output out = f + delay(f, 0.1) * 0.5";
    let d = def(src);
    let mut old = d.build(RATE);
    old.set_param(0, 1500.0, 2000);
    render_blocks(&mut old, 0, 10_017, &[64, 23]);
    // What the old module would have played next.
    let mut reference = old.clone();
    let want = render_blocks(&mut reference, 0, 4096, &[64]);
    // The same file reloaded continues exactly.
    let mut same = d.build(RATE);
    same.take_state_from(&old);
    assert_eq!(render_blocks(&mut same, 0, 4096, &[64]), want);
    // An edited constant (the delay's level, 0.5 to 0.6) plays on without
    // a seam: its first block differs from what the old module would have
    // played by the edit alone (a tenth of the echo), not by a restart.
    let edited = def(&src.replace("delay(f, 0.1) * 0.5", "delay(f, 0.1) * 0.6"));
    let mut new = edited.build(RATE);
    new.take_state_from(&old);
    let got = render_blocks(&mut new, 0, 64, &[64]);
    let seam = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    let level = want.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(level > 0.05, "{level}");
    assert!(seam < 0.15 * level, "seam {seam} against level {level}");
    // Without it, the new module starts from silence: far from the old.
    let mut fresh = edited.build(RATE);
    let cold = render_blocks(&mut fresh, 0, 64, &[64]);
    let gap = cold
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    eprintln!("reload: seam {seam}, restart {gap}, level {level}");
    assert!(gap > 4.0 * seam, "restart {gap} against seam {seam}");
}
