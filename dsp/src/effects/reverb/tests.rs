//! The reverb's measured quality, each figure next to the fundsp design it
//! replaced ([`super::legacy`]) measured the same way in the same run.

use super::super::testutil::*;
use super::*;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

fn spec(size: f64, decay: f64, damping: f64) -> ReverbSpec {
    ReverbSpec {
        mix: 1.0,
        size,
        decay,
        damping,
    }
}

fn wet(size: f64, decay: f64, damping: f64) -> Reverb {
    Reverb::new(&spec(size, decay, damping), RATE)
}

fn old(size: f64, decay: f64, damping: f64) -> legacy::Reverb {
    legacy::Reverb::new(&spec(size, decay, damping), RATE)
}

/// The response of both channels to a unit impulse in both, `seconds` long.
fn response(fx: &mut dyn Effect, seconds: f64) -> (Vec<f32>, Vec<f32>) {
    let n = (seconds * f64::from(RATE)) as usize;
    run(fx, &impulse(n), &impulse(n), 64)
}

/// A one-pole low-pass at `hz` applied four times (for a low band's RT60).
fn lowpass(x: &[f32], hz: f64) -> Vec<f32> {
    let a = (-std::f64::consts::TAU * hz / f64::from(RATE)).exp();
    let mut v: Vec<f64> = x.iter().map(|&s| f64::from(s)).collect();
    for _ in 0..4 {
        let mut y = 0.0;
        for s in v.iter_mut() {
            y = (1.0 - a) * *s + a * y;
            *s = y;
        }
    }
    v.into_iter().map(|s| s as f32).collect()
}

/// RT60 from the Schroeder energy decay curve of a stereo impulse response,
/// fitted between -5 and -35 dB (T30) by least squares, extrapolated to
/// 60 dB.
fn rt60(l: &[f32], r: &[f32]) -> f64 {
    rt60_at(l, r, RATE)
}

/// [`rt60`] of a response at `rate` Hz.
fn rt60_at(l: &[f32], r: &[f32], rate: f32) -> f64 {
    let n = l.len();
    let mut edc = vec![0.0f64; n + 1];
    for i in (0..n).rev() {
        edc[i] = edc[i + 1] + f64::from(l[i] * l[i] + r[i] * r[i]);
    }
    let level: Vec<f64> = edc[..n]
        .iter()
        .map(|e| 10.0 * (e / edc[0]).log10())
        .collect();
    let (mut s, mut st, mut sl, mut stt, mut stl) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &y) in level.iter().enumerate() {
        if (-35.0..=-5.0).contains(&y) {
            let t = i as f64 / f64::from(rate);
            s += 1.0;
            st += t;
            sl += y;
            stt += t * t;
            stl += t * y;
        }
    }
    assert!(
        level[n - 1] < -40.0,
        "the response must be long enough to reach -40 dB"
    );
    let slope = (s * stl - st * sl) / (s * stt - st * st);
    -60.0 / slope
}

#[test]
fn rt60_is_within_10_percent_of_decay() {
    // `decay` is the RT60 of the lows (the loop filters are unity at DC):
    // damped, the highs die sooner, so damped settings are measured below
    // 500 Hz as well as broadband.
    let settings = [
        (0.0, 0.3, 0.0),
        (0.5, 1.0, 0.0),
        (0.7, 2.0, 0.5),
        (0.3, 4.0, 0.2),
        (1.0, 8.0, 0.0),
        (1.0, 3.0, 1.0),
        (0.2, 12.0, 0.7),
    ];
    for (size, decay, damping) in settings {
        let seconds = 1.3 * decay + 0.5;
        let (l, r) = response(&mut wet(size, decay, damping), seconds);
        let (ol, or) = response(&mut old(size, decay, damping), seconds.max(2.3 * decay));
        let band = |l: &[f32], r: &[f32]| rt60(&lowpass(l, 500.0), &lowpass(r, 500.0));
        let (broad, low) = (rt60(&l, &r), band(&l, &r));
        let (old_broad, old_low) = (rt60(&ol, &or), band(&ol, &or));
        println!(
            "reverb size {size} damping {damping}: RT60 set {decay} s, measured {broad:.3} s \
             broadband, {low:.3} s below 500 Hz (fundsp's: {old_broad:.3} s, {old_low:.3} s)"
        );
        assert!((low / decay - 1.0).abs() < 0.1, "set {decay}, got {low}");
        if damping == 0.0 {
            assert!(
                (broad / decay - 1.0).abs() < 0.1,
                "set {decay}, got {broad}"
            );
        }
    }
}

/// Correlation of two signals.
fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum::<f64>();
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

#[test]
fn a_mono_source_comes_out_decorrelated() {
    for (size, decay, damping) in [(0.7, 2.0, 0.5), (0.0, 1.0, 0.0), (1.0, 4.0, 0.9)] {
        let (l, r) = response(&mut wet(size, decay, damping), 1.5);
        let (ol, or) = response(&mut old(size, decay, damping), 1.5);
        let corr = correlation(&l[2400..], &r[2400..]);
        let old_corr = correlation(&ol[2400..], &or[2400..]);
        println!(
            "reverb size {size} decay {decay} damping {damping}: L/R correlation of a mono \
             impulse's tail {corr:.3} (fundsp's {old_corr:.3})"
        );
        assert!(corr.abs() < 0.1, "{corr}");
        assert!(peak(&l) > 1e-3 && peak(&r) > 1e-3);
    }
}

#[test]
fn the_wet_level_matches_the_fundsp_design() {
    for (size, decay, damping) in [(0.7, 2.0, 0.5), (0.0, 0.5, 0.0), (1.0, 6.0, 0.2)] {
        let energy = |(l, r): (Vec<f32>, Vec<f32>)| {
            l.iter().chain(&r).map(|x| f64::from(x * x)).sum::<f64>()
        };
        let new = energy(response(&mut wet(size, decay, damping), 2.0 * decay));
        let was = energy(response(&mut old(size, decay, damping), 2.0 * decay));
        let diff = 10.0 * (new / was).log10();
        println!("reverb size {size} decay {decay}: wet energy {diff:+.2} dB against fundsp's");
        assert!(diff.abs() < 1.5, "{diff}");
    }
}

/// Abel & Huang's normalised echo density profile of `h`: in a 20 ms Hann
/// window around each millisecond, the weighted fraction of samples
/// outside one standard deviation, over that of a Gaussian (erfc(1/√2)):
/// about 1 for a noise-like response, far less for sparse echoes.
fn echo_density(h: &[f32]) -> Vec<f64> {
    let half = (0.010 * f64::from(RATE)) as usize;
    let w: Vec<f64> = (0..2 * half + 1)
        .map(|k| {
            (std::f64::consts::PI * k as f64 / (2 * half) as f64)
                .sin()
                .powi(2)
        })
        .collect();
    let wsum: f64 = w.iter().sum();
    let erfc = 0.317_310_507_862_914_1;
    (half..h.len() - half)
        .step_by(RATE as usize / 1000)
        .map(|c| {
            let seg = &h[c - half..=c + half];
            let var = seg
                .iter()
                .zip(&w)
                .map(|(x, w)| w * f64::from(x * x))
                .sum::<f64>()
                / wsum;
            let sd = var.sqrt();
            let out: f64 = seg
                .iter()
                .zip(&w)
                .filter(|(x, _)| f64::from(x.abs()) > sd)
                .map(|(_, w)| w)
                .sum();
            out / wsum / erfc
        })
        .collect()
}

/// From an impulse response's left channel: its onset (first sample above
/// 1e-3 of the peak) in ms, the ms after the onset at which the echo density
/// first reaches 0.9, and its mean from 100 to 500 ms after the onset.
fn density_figures(h: &[f32]) -> (f64, f64, f64) {
    let p = peak(h);
    let onset = h.iter().position(|x| x.abs() > 1e-3 * p).unwrap_or(0);
    let ms = f64::from(RATE) / 1000.0;
    let profile = echo_density(h);
    // The profile's k-th value is centred 10 + k ms in.
    let from = ((onset as f64 / ms) as usize).saturating_sub(10);
    let reach = profile[from..]
        .iter()
        .position(|&d| d >= 0.9)
        .map_or(f64::INFINITY, |k| {
            (from + k + 10) as f64 - onset as f64 / ms
        });
    let late = &profile[from + 100..from + 500];
    let mean = late.iter().sum::<f64>() / late.len() as f64;
    (onset as f64 / ms, reach, mean)
}

#[test]
fn the_echo_density_is_noise_like_soon_after_the_onset() {
    for size in [0.0, 0.5, 0.7, 1.0] {
        let (l, _) = response(&mut wet(size, 2.0, 0.5), 1.0);
        let (ol, _) = response(&mut old(size, 2.0, 0.5), 1.0);
        let (onset, reach, mean) = density_figures(&l);
        let (old_onset, old_reach, old_mean) = density_figures(&ol);
        println!(
            "reverb size {size}: onset {onset:.1} ms, echo density 0.9 reached {reach:.0} ms \
             after it, mean {mean:.3} from 100 to 500 ms (fundsp's: onset {old_onset:.1} ms, \
             {old_reach:.0} ms, {old_mean:.3})"
        );
        assert!(reach < 100.0, "size {size}: {reach} ms");
        assert!(mean > 0.9, "size {size}: {mean}");
    }
}

/// The largest excess, in dB, of the late tail's finely resolved power
/// spectrum (Welch: 8192-point Hann windows, 5.9 Hz apart, half
/// overlapping, each normalised to unit power, both channels) over its
/// 1/3-octave smoothing, between 100 Hz and 16 kHz: a ringing mode or a
/// comb stands out as a large excess; a noise-like tail's is set by the
/// estimate's own scatter (about 3 dB with these averages).
fn spectral_peak_excess(l: &[f32], r: &[f32]) -> (f64, f64) {
    const N: usize = 8192;
    let fft = FftPlanner::new().plan_fft_forward(N);
    let hann: Vec<f32> = (0..N)
        .map(|k| (std::f32::consts::PI * k as f32 / N as f32).sin().powi(2))
        .collect();
    let mut power = vec![0.0f64; N / 2];
    for x in [l, r] {
        for start in (0..x.len() - N).step_by(N / 2) {
            let mut buf: Vec<Complex<f32>> = x[start..start + N]
                .iter()
                .zip(&hann)
                .map(|(v, w)| Complex::new(v * w, 0.0))
                .collect();
            fft.process(&mut buf);
            let p: Vec<f64> = buf[..N / 2]
                .iter()
                .map(|c| f64::from(c.norm_sqr()))
                .collect();
            let total: f64 = p.iter().sum();
            for (a, b) in power.iter_mut().zip(&p) {
                *a += b / total;
            }
        }
    }
    let hz = f64::from(RATE) / N as f64;
    let mut prefix = vec![0.0; N / 2 + 1];
    for k in 0..N / 2 {
        prefix[k + 1] = prefix[k] + power[k];
    }
    let mut worst = (f64::NEG_INFINITY, 0.0);
    for (k, p) in power.iter().enumerate() {
        let f = k as f64 * hz;
        if !(100.0..=16_000.0).contains(&f) {
            continue;
        }
        let lo = ((f * 2f64.powf(-1.0 / 6.0)) / hz).floor() as usize;
        let hi = (((f * 2f64.powf(1.0 / 6.0)) / hz).ceil() as usize).min(N / 2 - 1);
        let smooth = (prefix[hi + 1] - prefix[lo]) / (hi + 1 - lo) as f64;
        let excess = 10.0 * (p / smooth).log10();
        if excess > worst.0 {
            worst = (excess, f);
        }
    }
    worst
}

#[test]
fn the_late_tail_has_no_narrow_spectral_peaks() {
    let mut worst = Vec::new();
    for (size, damping) in [(0.0, 0.0), (0.7, 0.0), (1.0, 0.0), (0.7, 0.5)] {
        // 0.3 s to 2.3 s of a 4 s decay: the late tail, all modes excited.
        let tail = |(l, r): (Vec<f32>, Vec<f32>)| {
            let (a, b) = (14_400, 110_400);
            (l[a..b].to_vec(), r[a..b].to_vec())
        };
        let (l, r) = tail(response(&mut wet(size, 4.0, damping), 2.4));
        let (ol, or) = tail(response(&mut old(size, 4.0, damping), 2.4));
        let ((excess, at), (old_excess, old_at)) =
            (spectral_peak_excess(&l, &r), spectral_peak_excess(&ol, &or));
        println!(
            "reverb size {size} damping {damping}: late tail's largest spectral peak \
             {excess:.2} dB over its 1/3-octave smoothing, at {at:.0} Hz (fundsp's \
             {old_excess:.2} dB at {old_at:.0} Hz)"
        );
        worst.push((excess, old_excess));
    }
    // At size 0 the excess is about 1.1 dB above fundsp's (5.9 against
    // 4.8 dB, at every decay from 3 to 6 s): with 16 lines of 18 to 41 ms
    // the network has half the modes of fundsp's 32 (about one per Hz), so
    // a 5.9 Hz bin averages fewer of them. From size 0.3 up it is lower
    // than fundsp's.
    for (excess, old_excess) in worst {
        assert!(excess < 6.0 && excess < old_excess + 1.2, "{excess} dB");
    }
}

#[test]
fn silence_stays_silent_and_reset_clears_the_tail() {
    let mut fx = wet(0.7, 2.0, 0.5);
    let (l, _) = run(&mut fx, &[0.0; 4800], &[0.0; 4800], 64);
    assert!(l.iter().all(|&x| x == 0.0));
    run(&mut fx, &impulse(4800), &impulse(4800), 64);
    fx.reset();
    let (l, r) = run(&mut fx, &[0.0; 4800], &[0.0; 4800], 64);
    assert!(l.iter().chain(&r).all(|&x| x == 0.0));
}

#[test]
fn a_dead_tail_rests_and_wakes_as_new() {
    // A short decay dies below -150 dBFS within seconds: the reverb then
    // rests (exact zeros), and a new impulse sounds as in a fresh reverb.
    let mut fx = wet(0.3, 0.5, 0.5);
    let (l, r) = response(&mut fx, 3.0);
    let last = l
        .iter()
        .rposition(|&x| x != 0.0)
        .max(r.iter().rposition(|&x| x != 0.0))
        .unwrap_or(0);
    println!(
        "reverb decay 0.5 s: last nonzero output {:.2} s after the impulse",
        last as f64 / f64::from(RATE)
    );
    assert!(fx.fdn.is_silent(), "rests after its tail");
    assert!(l[last + 1..]
        .iter()
        .chain(&r[last + 1..])
        .all(|&x| x == 0.0));
    assert!(last > 24_000 && last < 96_000, "{last}");
    let (a, b) = response(&mut fx, 1.0);
    let (c, d) = response(&mut wet(0.3, 0.5, 0.5), 1.0);
    assert!(a == c && b == d, "wakes as a fresh reverb");
}

#[test]
fn lines_are_distinct_primes() {
    for size in [0.0, 0.5, 1.0] {
        let lens = wet(size, 1.0, 0.0).fdn.line_lengths();
        for (i, a) in lens.iter().enumerate() {
            assert!((2..*a)
                .take_while(|d| d * d <= *a)
                .all(|d| !a.is_multiple_of(d)));
            assert!(!lens[i + 1..].contains(a));
        }
    }
}

#[test]
fn mix_zero_is_bit_exact() {
    let spec = ReverbSpec {
        mix: 0.0,
        ..Default::default()
    };
    assert_passes_bit_exactly(Reverb::new(&spec, RATE));
}

#[test]
fn block_size_independent() {
    let spec = ReverbSpec::default();
    assert_block_independent("reverb", || Box::new(Reverb::new(&spec, RATE)), 0.0);
}

#[test]
fn other_sample_rates_work() {
    // Chunks shorter than a grid step at 8 kHz (diffusers of 12 samples).
    for rate in [8_000.0, 44_100.0, 96_000.0] {
        let mut fx = Reverb::new(&spec(0.5, 1.0, 0.0), rate);
        let n = 2 * rate as usize;
        let (l, r) = run(&mut fx, &impulse(n), &impulse(n), 64);
        let (l2, r2) = run(
            &mut Reverb::new(&spec(0.5, 1.0, 0.0), rate),
            &impulse(n),
            &impulse(n),
            17,
        );
        assert!(l == l2 && r == r2, "{rate}: block independent");
        let rt = rt60_at(&l, &r, rate);
        println!("reverb at {rate} Hz: RT60 set 1 s, measured {rt:.3} s");
        assert!((rt - 1.0).abs() < 0.1 && peak(&l) < 1.0, "{rate}: {rt}");
    }
}
