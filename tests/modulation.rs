//! Modulation in a song: an LFO patched onto a synth's cutoff moves the
//! sound's brightness at the LFO's rate, between what the cutoff's two
//! extremes sound like; bad patches are refused with where and why; and
//! rendering with modulation allocates nothing.

mod common;

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus::backends::Flow;
use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::Song;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

fn bass(cutoff: f64, extra: &str) -> String {
    format!(
        "tempo: 120\ninstruments:\n  bass: {{ type: synth, osc: saw, cutoff: {cutoff}, resonance: 0, attack: 0.001, sustain: 1 }}\npatterns:\n  a: {{ bass: \"C2 _ _ _\" }}\narrangement:\n  - {{ pattern: a, repeat: 2 }}\n{extra}"
    )
}

/// Brightness in each 20 ms window: the RMS of the signal's sample-to-
/// sample differences over its own RMS (a low-pass's output grows smoother
/// as its cutoff falls).
fn brightness(x: &[f32]) -> Vec<f64> {
    x.chunks_exact(960)
        .map(|w| {
            let rms = |v: &mut dyn Iterator<Item = f64>| {
                let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x * x, n + 1));
                (s / n as f64).sqrt()
            };
            let d = rms(&mut w.windows(2).map(|p| f64::from(p[1] - p[0])));
            d / rms(&mut w.iter().map(|v| f64::from(*v)))
        })
        .collect()
}

fn render(yaml: &str) -> Vec<f32> {
    common::render(&common::song(yaml)).0
}

#[test]
fn an_lfo_on_the_cutoff_sweeps_between_its_extremes_at_its_rate() {
    let patched = bass(
        800.0,
        "modules:\n  wob: { type: lfo, rate: 2, shape: sine }\npatches:\n  - { from: wob, to: bass.cutoff, amount: 600 }\n",
    );
    let span = |x: Vec<f32>| brightness(&x[4_800..4_800 + 96_000]);
    let range = |b: &[f64]| {
        b.iter()
            .fold((0.0f64, 1.0f64), |(h, l), v| (h.max(*v), l.min(*v)))
    };
    let b = span(render(&patched));
    // The static extremes, measured alike (their own windows wander by
    // 15%: a 20 ms window holds no whole number of the saw's periods).
    let (top, _) = range(&span(render(&bass(1_400.0, ""))));
    let (_, bottom) = range(&span(render(&bass(200.0, ""))));
    let (hi, lo) = range(&b);
    eprintln!("brightness: patched {lo:.4}..{hi:.4}; static cutoff 200 {bottom:.4}, 1400 {top:.4}");
    assert!(
        (hi / top - 1.0).abs() < 0.1 && (lo / bottom - 1.0).abs() < 0.1,
        "{lo} {hi} vs {bottom} {top}"
    );
    // At 2 Hz: brightest a quarter cycle in (0.125 s, window 6 of 20 ms from
    // 0.1 s), darkest three quarters in, and again each 0.5 s.
    for k in 0..4 {
        let peak = (0.125 + 0.5 * k as f64 - 0.1) / 0.02;
        let trough = peak + 12.5;
        let at = |t: f64| b[t.round() as usize];
        assert!(at(peak) > 0.7 * hi, "cycle {k}: peak {}", at(peak));
        if trough < b.len() as f64 - 1.0 {
            assert!(at(trough) < 1.4 * lo, "cycle {k}: trough {}", at(trough));
        }
    }
    // No steps: the cutoff glides between control points.
    let x = render(&patched);
    let steady = render(&bass(1_400.0, ""));
    let step = |x: &[f32]| {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max)
    };
    assert!(
        step(&x[4_800..]) <= 1.05 * step(&steady[4_800..]),
        "{} vs {}",
        step(&x[4_800..]),
        step(&steady[4_800..])
    );
}

#[test]
fn bad_patches_are_refused_with_where_and_why() {
    for (extra, want) in [
        (
            "modules:\n  wob: { type: lfo, rate: 200 }\n",
            "modules.wob: rate 200: expected 0.01..50 (cycles per second)",
        ),
        (
            "modules:\n  wob: { type: lfo }\npatches:\n  - { from: wb, to: bass.cutoff }\n",
            "patches[0]: from: no module called 'wb' (did you mean `wob`?)",
        ),
        (
            "modules:\n  wob: { type: lfo }\npatches:\n  - { from: wob, to: bass.cutof }\n",
            "patches[0]: to: synth has no number 'cutof'",
        ),
        (
            "modules:\n  wob: { type: lfo }\npatches:\n  - { from: wob, to: bas.cutoff }\n",
            "patches[0]: to: no instrument or module called 'bas'",
        ),
        (
            "modules:\n  bass: { type: lfo }\n",
            "is an instrument's name too",
        ),
        ("modules:\n  wob: { type: lfo, speed: 2 }\n", "speed"),
    ] {
        let yaml = bass(800.0, extra);
        let e = Song::from_yaml(&yaml, "s.yaml".as_ref())
            .expect_err(want)
            .to_string();
        assert!(
            e.contains(want) && e.contains("s.yaml:"),
            "{e}\nwanted {want}"
        );
    }
}

#[test]
fn modulation_renders_without_allocating() {
    let yaml = bass(
        800.0,
        "modules:\n  a: { type: lfo, rate: 3, shape: triangle }\n  b: { type: lfo, rate: 0.5, shape: random }\npatches:\n  - { from: a, to: bass.cutoff, amount: 500 }\n  - { from: b, to: bass.pan, amount: 0.8 }\n  - { from: a, to: bass.gain, amount: 3 }\n",
    );
    let song = common::song(&yaml);
    let mut source = OfflineRender::new(&song, RenderOptions::default());
    let (mut l, mut r) = (vec![0.0f32; 64], vec![0.0f32; 64]);
    reset_violation_count();
    // The schedule is made a bar at a time off the counted part (it
    // allocates); the engine renders inside it.
    let mut frames = 0u64;
    loop {
        source.prepare(64);
        match assert_no_alloc(|| source.render_prepared(&mut l, &mut r)) {
            Flow::Continue => frames += 64,
            Flow::Finished { frames: n } => break frames += n as u64,
        }
    }
    assert!(frames > 96_000);
    assert_eq!(violation_count(), 0);
}

/// In a live session: `create wob lfo`, `patch wob > bass.cutoff` sweeps the
/// sound while it plays, `set bass cutoff=` moves the centre, `set wob
/// rate=` changes the speed without a step, `unpatch` leaves the set value;
/// bad lines are refused and change nothing; the patch saves and loads back.
#[test]
fn a_live_session_patches_an_lfo_and_saves_it() {
    use chronus::live::manual::ManualLive;
    let dir = common::Scratch::new("live-modulation");
    let mut live = ManualLive::new(48_000, 256, dir.dir.join("patches"));
    let ok = |live: &mut ManualLive, line: &str| {
        let r = live.session.execute(line);
        assert!(r.ok, "{line}: {}", r.line());
        r.text
    };
    let render = |live: &mut ManualLive, frames: u64| {
        let (mut l, mut r) = (Vec::new(), Vec::new());
        live.render(frames, (&mut l, &mut r));
        l
    };
    ok(&mut live, "create bass synth osc=saw cutoff=800 resonance=0 attack=0.001 sustain=1; melody bass: C2 _ _ _; play bass");
    render(&mut live, 96_000 + 4_800);
    let still = brightness(&render(&mut live, 48_000));
    ok(&mut live, "create wob lfo rate=2 shape=sine");
    let r = ok(&mut live, "patch wob > bass.cutoff amount=600");
    assert!(r.contains("patch wob > bass.cutoff amount=600"), "{r}");
    render(&mut live, 4_800);
    let moving = brightness(&render(&mut live, 48_000));
    let spread = |b: &[f64]| {
        let (hi, lo) = b
            .iter()
            .fold((0.0f64, 1.0f64), |(h, l), v| (h.max(*v), l.min(*v)));
        hi / lo
    };
    eprintln!(
        "live: brightness spread {:.2} unpatched, {:.2} patched",
        spread(&still),
        spread(&moving)
    );
    assert!(
        spread(&moving) > 1.8 && spread(&still) < 1.5,
        "{} {}",
        spread(&moving),
        spread(&still)
    );
    // A set while patched moves the centre the LFO swings around, and a
    // new rate takes without a step larger than the sweep's own.
    let mean = |b: &[f64]| b.iter().sum::<f64>() / b.len() as f64;
    ok(&mut live, "set bass cutoff=1600");
    render(&mut live, 4_800);
    let higher = brightness(&render(&mut live, 48_000));
    assert!(
        mean(&higher) > 1.2 * mean(&moving),
        "{} vs {}",
        mean(&higher),
        mean(&moving)
    );
    let step = |x: &[f32]| {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max)
    };
    let before = step(&render(&mut live, 24_000));
    ok(&mut live, "set wob rate=5 shape=triangle");
    let across = step(&render(&mut live, 24_000));
    assert!(across <= 1.1 * before, "{across} vs {before}");
    ok(&mut live, "set bass cutoff=800");
    ok(&mut live, "set wob rate=2 shape=sine");
    // The list shows it; a bad patch is refused and changes nothing.
    let list = ok(&mut live, "list patches");
    assert!(
        list.contains("wob (lfo sine rate=2 phase=0)")
            && list.contains("wob > bass.cutoff amount=600"),
        "{list}"
    );
    for (bad, want) in [
        ("patch wib > bass.cutoff", "no module called 'wib'"),
        (
            "patch wob > bas.cutoff",
            "no instrument or module called 'bas'",
        ),
        ("patch wob > bass.cutof", "synth has no number 'cutof'"),
        ("patch wob bass.cutoff", "expected '>'"),
        (
            "patch wob > bass",
            "bass is an instrument: patch a module to one of its parameters",
        ),
        ("set wob rate=500", "rate 500: expected 0.01..50"),
        ("set wob speed=2", "wob: lfo has no setting 'speed'"),
        ("patch wob > out", "makes a control signal, not sound"),
        (
            "unpatch wob > bass.resonance",
            "not patched to bass.resonance",
        ),
    ] {
        let r = live.session.execute(bad);
        assert!(!r.ok && r.text.contains(want), "{bad}: {}", r.line());
    }
    assert_eq!(ok(&mut live, "list patches"), list);
    // Saved and loaded back: the same modules and cables.
    ok(&mut live, "save patch wobbly");
    let text = std::fs::read_to_string(dir.dir.join("patches/wobbly.yaml")).expect("saved");
    assert!(
        text.contains("modules:") && text.contains("type: lfo") && text.contains("to: bass.cutoff"),
        "{text}"
    );
    let (song, _) =
        Song::load(&dir.dir.join("patches/wobbly.yaml")).expect("the patch loads as a song");
    assert_eq!(song.modulation.cables.len(), 1);
    // Unpatched, the cutoff rests at its own value again.
    ok(&mut live, "unpatch wob");
    render(&mut live, 4_800);
    let after = brightness(&render(&mut live, 48_000));
    assert!(spread(&after) < 1.5, "{}", spread(&after));
    ok(&mut live, "remove wob");
    assert!(ok(&mut live, "list patches").contains("no modules"));
}

/// The same lines in a live session, `gap` frames apart (0: all at once, as
/// `--resume` replays them): the left channel of the first `bars` bars.
fn typed(lines: &[&str], gap: u64, bars: u64) -> Vec<f32> {
    use chronus::live::manual::ManualLive;
    let dir = common::Scratch::new("live-modulation-timing");
    let mut live = ManualLive::new(48_000, 256, dir.dir.join("patches"));
    let (mut l, mut r) = (Vec::new(), Vec::new());
    for line in lines {
        let reply = live.session.execute(line);
        assert!(reply.ok, "{line}: {}", reply.line());
        live.render(gap, (&mut l, &mut r));
    }
    let left = bars * 96_000 - live.frame();
    live.render(left, (&mut l, &mut r));
    l
}

/// Largest difference between `a` and `b` over bars `from..to` (120 BPM).
fn largest_difference(a: &[f32], b: &[f32], from: u64, to: u64) -> f32 {
    let span = (from * 96_000) as usize..(to * 96_000) as usize;
    span.map(|i| (a[i] - b[i]).abs()).fold(0.0, f32::max)
}

/// A `set` of a patched parameter lands however soon after the `patch`
/// it comes (a rack swap waits out the crossfade before it, so the set's
/// own event can reach the track before the cable does): typed at once or
/// seconds apart, the same sound follows. Before, typed at once, the set
/// was lost (the cable kept the old value: 0.17 apart).
#[test]
fn a_set_right_after_a_patch_is_not_lost() {
    let lines = [
        "create bass synth osc=saw cutoff=900 resonance=0.3 attack=0.002 sustain=0.5 release=0.02",
        "melody bass: C2 Eb2 G2 ~",
        "create wob lfo rate=0.75 shape=triangle",
        "patch wob > bass.cutoff amount=400",
        "play all",
        "set bass cutoff=1100",
    ];
    let at_once = typed(&lines, 0, 4);
    let apart = typed(&lines, 3_000, 4);
    let d = largest_difference(&at_once, &apart, 2, 4);
    eprintln!("typed at once against 3000 frames apart, bars 3-4: {d:.2e}");
    assert!(at_once[192_000..].iter().any(|v| v.abs() > 0.05));
    assert_eq!(d, 0.0);
    // And it is the set value: as a bass made with that cutoff sounds.
    let mut made = lines;
    made[0] =
        "create bass synth osc=saw cutoff=1100 resonance=0.3 attack=0.002 sustain=0.5 release=0.02";
    let made = typed(&made[..5], 3_000, 4);
    assert_eq!(largest_difference(&made, &apart, 2, 4), 0.0);
    // In one line too.
    let one = typed(&[&lines[..3].join("; "), &lines[3..].join("; ")], 0, 4);
    assert_eq!(largest_difference(&one, &apart, 2, 4), 0.0);
}

/// `bass` with an LFO patched to its cutoff, `unpatch` (the line given)
/// in its second bar: the left channel of four bars.
fn unpatched(bass: &str, unpatch: &str) -> Vec<f32> {
    let dir = common::Scratch::new("live-modulation-unpatch");
    let mut live = chronus::live::manual::ManualLive::new(48_000, 256, dir.dir.join("patches"));
    let (mut l, mut r) = (Vec::new(), Vec::new());
    for line in [
        bass,
        "create wob lfo rate=2 shape=sine",
        "patch wob > bass.cutoff amount=600",
    ] {
        assert!(live.session.execute(line).ok, "{line}");
    }
    live.render(96_000 + 12_345, (&mut l, &mut r));
    assert!(live.session.execute(unpatch).ok, "{unpatch}");
    live.render(3 * 96_000 - 12_345, (&mut l, &mut r));
    l
}

/// `unpatch` gives the parameter back its own value exactly, not where the
/// LFO last swung it (before: 0.054 off, for good).
#[test]
fn unpatch_gives_the_parameter_back_its_own_value() {
    let bass = "create bass synth osc=saw cutoff=800 resonance=0 attack=0.001 sustain=1; melody bass: C2 _ _ _; play bass";
    let plain = typed(&[bass], 0, 4);
    let l = unpatched(bass, "unpatch wob");
    assert!(
        largest_difference(&plain, &l, 1, 2) > 0.1,
        "the LFO swept it"
    );
    let d = largest_difference(&plain, &l, 2, 4);
    eprintln!("unpatched against never patched, bars 3-4: {d:.2e}");
    assert_eq!(d, 0.0);
    // A set in the same line as the unpatch is the value it comes back to.
    let brighter = typed(&[&bass.replace("cutoff=800", "cutoff=1300")], 0, 4);
    let l = unpatched(bass, "unpatch wob; set bass cutoff=1300");
    assert_eq!(largest_difference(&brighter, &l, 2, 4), 0.0);
}
