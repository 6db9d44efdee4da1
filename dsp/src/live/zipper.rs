//! Zipper tests of the effects: parameters swept by 100 `set_param` calls
//! a second, the largest sample-to-sample step measured against a bound
//! derived from the signal (and, for comparison, the same sweep unsmoothed).

use super::testing::{band_db, RATE};
use crate::effects::distortion::LATENCY;
use crate::effects::testutil::sine;
use crate::effects::{Distortion, Filter};
use crate::Effect;
use chronus_sequencer::song::{DistortionSpec, FilterSpec};

/// Index of `name` in `table`.
fn index(table: super::ParamTable, name: &str) -> usize {
    table.iter().position(|p| p.0 == name).unwrap_or(usize::MAX)
}

/// Run `fx` over the first half second of `x`, to settle it (the
/// distortion's onset and its 5 Hz coupling).
fn settle(mut fx: impl Effect, x: &[f32]) -> impl Effect {
    let (mut l, mut r) = (x[..24_000].to_vec(), x[..24_000].to_vec());
    for (lc, rc) in l.chunks_mut(64).zip(r.chunks_mut(64)) {
        fx.process(lc, rc);
    }
    fx
}

/// Run `fx` over `x` (both channels) for 1 s, setting parameter `param` to
/// `value(k)` at frame `480 k - 473` for k = 1..=100 with `ramp`; blocks end
/// at every set and every multiple of 64. The left output.
fn sweep(
    fx: &mut dyn Effect,
    x: &[f32],
    param: usize,
    value: impl Fn(u32) -> f32,
    ramp: u32,
) -> Vec<f32> {
    let (mut l, mut r) = (x.to_vec(), x.to_vec());
    let mut f = 0;
    let mut k = 1;
    while f < l.len() {
        if k <= 100 && f == 480 * k as usize - 473 {
            fx.set_param(param, value(k), ramp);
            k += 1;
        }
        let mut end = ((f / 64 + 1) * 64).min(l.len());
        if k <= 100 {
            end = end.min(480 * k as usize - 473);
        }
        fx.process(&mut l[f..end], &mut r[f..end]);
        f = end;
    }
    l
}

fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

fn distortion(drive: f64, mix: f64) -> Distortion {
    let spec = DistortionSpec {
        drive,
        mix,
        level: 0.0,
    };
    Distortion::new(&spec, RATE)
}

#[test]
fn a_mix_sweep_makes_no_zipper_steps() {
    // out = (1 - w) x + w y steps by (1 - w) dx + w dy + dw (y - x): at most
    // the larger of the dry and the fully wet signal's steps, plus the mix's
    // own step times |y - x|. Smoothed, the mix moves 0.01 per 240 frames.
    // (From mix 0.001, so the wet path runs from the start: leaving 0 it
    // starts from rest.) 25 whole periods settle it.
    let x = sine(50.0, 0.5, 48_000);
    let mix = index(DistortionSpec::PARAMS, "mix");
    let wet: Vec<f32> = {
        let mut fx = settle(distortion(12.0, 1.0), &x);
        let (mut l, mut r) = (x.clone(), x.clone());
        for (lc, rc) in l.chunks_mut(64).zip(r.chunks_mut(64)) {
            fx.process(lc, rc);
        }
        l
    };
    let gap = wet[LATENCY..]
        .iter()
        .zip(&x)
        .map(|(y, x)| (y - x).abs())
        .fold(0.0, f32::max);
    let bound = max_step(&x).max(max_step(&wet)) + gap * 0.01 / 240.0;
    let step = |ramp| {
        max_step(&sweep(
            &mut settle(distortion(12.0, 0.001), &x),
            &x,
            mix,
            |k| k as f32 / 100.0,
            ramp,
        ))
    };
    let (smooth, stepped) = (step(240), step(0));
    println!(
        "distortion mix sweep 0 -> 1 on a 50 Hz sine: largest step {smooth:.5} (ramp 240), \
         {stepped:.5} (ramp 0); bound {bound:.5}"
    );
    // (Here the wet edges' own steps hide a zipper: unsmoothed, the sweep
    // stays under the bound too. The constant input below shows it.)
    assert!(smooth <= bound * 1.001, "{smooth} > {bound}");

    // On a constant input only the mix moves the output: by dw (y - x),
    // where the settled wet y is 0 (the coupling has taken its DC away).
    let dc = vec![0.1f32; 48_000];
    let bound = 0.1 * 0.01 / 240.0;
    let step = |ramp| {
        max_step(&sweep(
            &mut settle(distortion(12.0, 0.001), &dc),
            &dc,
            mix,
            |k| k as f32 / 100.0,
            ramp,
        ))
    };
    let (smooth, stepped) = (step(240), step(0));
    println!(
        "distortion mix sweep 0 -> 1 on a constant 0.1: largest step {smooth:.2e} (ramp 240), \
         {stepped:.2e} (ramp 0); bound {bound:.2e}"
    );
    assert!(smooth <= bound * 1.05, "{smooth} > {bound}");
    assert!(stepped > 10.0 * bound, "{stepped}");
}

#[test]
fn a_drive_sweep_makes_no_zipper_steps() {
    // On a steady 50 Hz sine the output's steps grow with the drive, so the
    // static 48 dB drive's largest step bounds the sweep's (20 % margin).
    let x = sine(50.0, 0.5, 48_000);
    let drive = index(DistortionSpec::PARAMS, "drive");
    let to_48 = |k: u32| 0.48 * k as f32;
    let swept = max_step(&sweep(
        &mut settle(distortion(0.0, 1.0), &x),
        &x,
        drive,
        to_48,
        240,
    ));
    let fixed = {
        let mut fx = settle(distortion(48.0, 1.0), &x);
        max_step(&sweep(&mut fx, &x, usize::MAX, |_| 0.0, 240))
    };
    println!("distortion drive sweep 0 -> 48 dB on a 50 Hz sine: largest step {swept:.4}, static 48 dB {fixed:.4}");
    assert!(swept <= 1.2 * fixed, "{swept} vs {fixed}");

    // A zipper shows plainly on a constant input (which alone never steps):
    // y = tanh(g c) moves by c g sech²(g c) = u sech² u <= 0.448 per unit of
    // ln g, and smoothed, ln g moves 0.48 dB (0.0553) per 240 frames. The
    // coupling passes those moves and only takes their sum away, slowly.
    let dc = vec![0.1f32; 48_000];
    let step = |ramp| {
        max_step(&sweep(
            &mut settle(distortion(0.0, 1.0), &dc),
            &dc,
            drive,
            to_48,
            ramp,
        ))
    };
    let (smooth, stepped) = (step(240), step(0));
    let bound = 0.448 * (0.48 * std::f32::consts::LN_10 / 20.0) / 240.0;
    println!(
        "distortion drive sweep 0 -> 48 dB on a constant 0.1: largest step {smooth:.2e} (ramp 240), \
         {stepped:.2e} (ramp 0); bound {bound:.2e}"
    );
    assert!(smooth <= bound * 1.05, "{smooth} > {bound}");
    assert!(stepped > 10.0 * bound, "{stepped}");
}

#[test]
fn a_filter_cutoff_sweep_makes_no_zipper_steps() {
    // As the synth's: a low-pass moves fastest at its highest cutoff.
    let filter = |cutoff| {
        let spec = FilterSpec {
            cutoff,
            ..FilterSpec::default()
        };
        Filter::new(&spec, RATE)
    };
    let saw: Vec<f32> = (0..48_000)
        .map(|i| ((i as f32 * 130.0 / RATE) % 1.0) - 0.5)
        .collect();
    let cutoff = index(FilterSpec::PARAMS, "cutoff");
    let up = |k: u32| 200.0 * 20f32.powf(k as f32 / 100.0);
    let swept = max_step(&sweep(&mut filter(200.0), &saw, cutoff, up, 240)[480..]);
    let fixed = max_step(&sweep(&mut filter(4000.0), &saw, usize::MAX, up, 240)[480..]);
    println!("filter cutoff sweep 200 -> 4000 Hz on a saw: largest step {swept:.4}, static 4000 Hz {fixed:.4}");
    assert!(swept <= 1.2 * fixed, "{swept} vs {fixed}");

    // The filter keeps its state through coefficient jumps, so unsmoothed
    // steps hardly show as sample steps: a zipper shows as energy where the
    // signal has none. A 130 Hz sine swept through 200 -> 400 Hz has next
    // to nothing above 8 kHz; what is there is the stepping, which must
    // stay 100 dB down and below what unsmoothed steps leave.
    let sine = sine(130.0, 0.5, 48_000);
    let to_400 = |k: u32| 200.0 * 2f32.powf(k as f32 / 100.0);
    let zipper = |ramp| {
        band_db(
            &sweep(&mut filter(200.0), &sine, cutoff, to_400, ramp)[480..],
            8_000.0,
            24_000.0,
        )
    };
    let (smooth, stepped) = (zipper(240), zipper(0));
    println!("filter cutoff sweep 200 -> 400 Hz on a sine: energy above 8 kHz {smooth:.1} dB (ramp 240), {stepped:.1} dB (ramp 0)");
    assert!(
        smooth < -100.0 && smooth < stepped - 3.0,
        "{smooth} {stepped}"
    );
}
