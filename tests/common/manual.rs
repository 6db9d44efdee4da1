//! A live session driven block by block (`ManualLive`) for the live
//! tests: a fresh session, lines that must succeed, rendering with raw
//! MIDI at its frames.

use chronus::live::manual::ManualLive;
use chronus::session::Reply;

/// The session's sample rate.
pub const RATE: u32 = 48_000;
/// Frames a block.
pub const BLOCK: usize = 256;
/// A sine synth with a fast, clean envelope (pitches and onsets measure well).
pub const KEYS: &str =
    "create keys synth osc=sine filter=none attack=0.002 decay=0.1 sustain=1 release=0.02";

/// An empty session whose patches go to a scratch folder named `name`.
pub fn rig(name: &str) -> (ManualLive, super::Scratch) {
    let dir = super::Scratch::new(name);
    (ManualLive::new(RATE, BLOCK, dir.dir.join("patches")), dir)
}

/// Run `line`, which must succeed; its reply.
pub fn ok(live: &mut ManualLive, line: &str) -> Reply {
    let r = live.session.execute(line);
    assert!(r.ok, "{line}: {}", r.line());
    r
}

/// Render `frames` with MIDI at absolute frames; the left channel.
pub fn play(live: &mut ManualLive, frames: u64, midi: &[(u64, &[u8])]) -> Vec<f32> {
    let (mut l, mut r) = (Vec::new(), Vec::new());
    live.render_midi(frames, midi, (&mut l, &mut r));
    l
}

/// Run `line`, which must fail; its reply.
pub fn error(live: &mut ManualLive, line: &str) -> String {
    let r = live.session.execute(line);
    assert!(!r.ok, "{line} should fail: {}", r.line());
    r.line()
}

/// Render `frames`; the left channel.
pub fn render(live: &mut ManualLive, frames: u64) -> Vec<f32> {
    play(live, frames, &[])
}

/// Largest sample-to-sample step (a click shows as a large one).
pub fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}
