//! MIDI out of a live session: a track's notes sent out at their frames,
//! MIDI clock on the tempo map's exact frames, and the tempo following an
//! incoming clock through its jitter, start and stop.

mod common;

use common::manual::{ok, play, KEYS};

fn rig() -> (chronus::live::manual::ManualLive, common::Scratch) {
    common::manual::rig("live-midi-out")
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

#[test]
fn a_track_sent_out_plays_its_notes_on_the_midi_output_at_their_frames() {
    let (mut live, _dir) = rig();
    ok(
        &mut live,
        &format!(
            "{KEYS}; create kick; midi keys; midi out keys channel 3; midi out kick channel 10"
        ),
    );
    let r = ok(
        &mut live,
        "pattern kick: x ~ x ~; melody keys: C4 ~ E4 ~; play all",
    );
    let bar = r.frame.expect("a frame");
    live.midi_out.clear();
    let t = live.frame();
    let midi: Vec<(u64, &[u8])> =
        vec![(bar - 1_000, &[0x90, 72, 100]), (bar - 500, &[0x80, 72, 0])];
    let x = play(&mut live, bar + 96_000 - t, &midi);
    assert!(peak(&x) > 0.1);
    let out: Vec<(u64, Vec<u8>)> = live
        .midi_out
        .iter()
        .map(|(f, b, n)| (*f, b[..usize::from(*n)].to_vec()))
        .collect();
    // The played note goes out too, on channel 3; the pattern's notes at
    // their frames; the kick on channel 10 as GM 36.
    assert_eq!(
        out,
        vec![
            (bar - 1_000, vec![0x92, 72, 100]),
            (bar - 500, vec![0x82, 72, 0]),
            (bar, vec![0x92, 60, 102]),
            (bar, vec![0x99, 36, 102]),
            (bar + 24_000, vec![0x82, 60, 0]),
            (bar + 24_000, vec![0x89, 36, 0]),
            (bar + 48_000, vec![0x92, 64, 102]),
            (bar + 48_000, vec![0x99, 36, 102]),
            (bar + 72_000, vec![0x82, 64, 0]),
            (bar + 72_000, vec![0x89, 36, 0]),
        ]
    );
    // Taken off: the notes sounding then end there, nothing more goes out.
    let off = ok(&mut live, "midi out keys off; midi out kick off")
        .frame
        .expect("a frame");
    live.midi_out.clear();
    play(&mut live, 96_000, &[]);
    let after: Vec<&(u64, [u8; 3], u8)> = live.midi_out.iter().filter(|m| m.0 >= off).collect();
    let held: Vec<u8> = live
        .midi_out
        .iter()
        .filter(|m| m.0 < off)
        .map(|m| m.1[1])
        .collect();
    let mut ended: Vec<u8> = after.iter().map(|m| m.1[1]).collect();
    ended.sort();
    let mut want = held.clone();
    want.sort();
    assert_eq!(ended, want, "{:?}", live.midi_out);
    assert!(
        after.iter().all(|m| m.0 == off && m.1[0] & 0xF0 == 0x80),
        "{after:?}"
    );
    assert!(live
        .session
        .execute("midi out keys off")
        .line()
        .contains("does not go out"));
}

#[test]
fn midi_clock_goes_out_24_a_beat_from_the_next_bar_and_follows_the_tempo() {
    let (mut live, _dir) = rig();
    ok(&mut live, "create kick; pattern kick: x; play kick");
    play(&mut live, 100_000, &[]);
    let r = ok(&mut live, "midi clock on");
    assert_eq!(r.frame, Some(192_000), "{}", r.line());
    let n = 192_000 + 96_000 - live.frame();
    play(&mut live, n, &[]);
    let r = ok(&mut live, "tempo 90");
    let change = r.frame.expect("a frame");
    assert_eq!(change, 384_000, "the bar after the look-ahead");
    let beats_before = (change - 192_000) as f64 / 24_000.0;
    let n = change + 128_000 - live.frame();
    play(&mut live, n, &[]);
    let r = ok(&mut live, "midi clock off");
    let stop = r.frame.expect("a frame");
    let n = stop + 48_000 - live.frame();
    play(&mut live, n, &[]);
    let out: Vec<(u64, Vec<u8>)> = live
        .midi_out
        .iter()
        .map(|(f, b, n)| (*f, b[..usize::from(*n)].to_vec()))
        .collect();
    // Song position (bar 3 = beat 8 = sixteenth 32), continue, then pulses.
    assert_eq!(out[0], (192_000, vec![0xF2, 32, 0]));
    assert_eq!(out[1], (192_000, vec![0xFB]));
    let pulses: Vec<u64> = out.iter().filter(|m| m.1 == [0xF8]).map(|m| m.0).collect();
    assert_eq!(pulses[0], 192_000);
    // 120 BPM: a pulse every 1000 frames, to the frame; 90 BPM from the
    // tempo change: 1333.33 frames, each on its exact rounded position.
    for (k, p) in pulses.iter().enumerate() {
        let beat = k as f64 / 24.0;
        let want = if beat < beats_before {
            192_000.0 + beat * 24_000.0
        } else {
            change as f64 + (beat - beats_before) * 32_000.0
        };
        assert_eq!(*p, want.round() as u64, "pulse {k}");
    }
    let beats_after = (stop - change) as f64 / 32_000.0;
    assert_eq!(
        pulses.len() as f64,
        24.0 * (beats_before + beats_after),
        "pulses up to the stop"
    );
    assert_eq!(out.last(), Some(&(stop, vec![0xFC])));
}

/// MIDI clock pulses at `bpm` from frame `from` for `beats` beats, each
/// moved by up to `jitter` frames (a fixed pseudo-random scatter).
fn clock(from: u64, bpm: f64, beats: u64, jitter: i64) -> Vec<(u64, Vec<u8>)> {
    let per = 48_000.0 * 60.0 / bpm / 24.0;
    let mut x: u64 = 77;
    (0..beats * 24)
        .map(|k| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let j = if jitter > 0 {
                (x >> 33) as i64 % (2 * jitter + 1) - jitter
            } else {
                0
            };
            let f = (from as f64 + k as f64 * per).round() as i64 + j;
            (f as u64, vec![0xF8])
        })
        .collect()
}

#[test]
fn tempo_follows_incoming_midi_clock_through_its_jitter_and_its_start_and_stop() {
    let (mut live, _dir) = rig();
    ok(&mut live, "create kick; pattern kick: x x x x");
    let r = ok(&mut live, "tempo follow midi");
    assert!(
        r.line().contains("follows incoming MIDI clock"),
        "{}",
        r.line()
    );
    let t = live.frame() + 1_000;
    // Start, then 130 BPM with up to +-20 frames (0.42 ms) of jitter.
    let mut midi = vec![(t, vec![0xFA])];
    midi.extend(clock(t, 130.0, 8, 20));
    let events: Vec<(u64, &[u8])> = midi.iter().map(|(f, b)| (*f, b.as_slice())).collect();
    let span = midi.last().map_or(0, |m| m.0) + 100 - live.frame();
    play(&mut live, span, &events);
    let tempo = live.session.model().tempo;
    assert!((tempo - 130.0).abs() < 0.05, "{tempo}");
    let status = ok(&mut live, "status").line();
    let measured: f64 = status
        .split("following MIDI clock: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("a measured tempo");
    assert!((measured - 130.0).abs() < 0.05, "{status}");
    let jitter: f64 = status
        .split("jitter ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("a jitter figure");
    // Uniform +-20 frames: RMS 11.8 frames = 0.25 ms.
    assert!((0.18..0.32).contains(&jitter), "{jitter}");
    let said = live.session.take_messages();
    assert!(
        said.iter()
            .any(|l| l.starts_with("midi clock start: ok play all")),
        "{said:?}"
    );
    // The clock slows to 100 BPM: followed; then stop.
    let t = live.frame();
    let mut midi = clock(t, 100.0, 8, 0);
    let end = midi.last().map_or(t, |m| m.0);
    midi.push((end + 10, vec![0xFC]));
    let events: Vec<(u64, &[u8])> = midi.iter().map(|(f, b)| (*f, b.as_slice())).collect();
    play(&mut live, end + 200 - t, &events);
    let tempo = live.session.model().tempo;
    assert!((tempo - 100.0).abs() < 0.02, "{tempo}");
    assert!(live
        .session
        .take_messages()
        .iter()
        .any(|l| l.starts_with("midi clock stop: ok stop all")));
    // Off: pulses no longer move the tempo.
    ok(&mut live, "tempo follow off");
    let t = live.frame();
    let midi = clock(t, 150.0, 4, 0);
    let events: Vec<(u64, &[u8])> = midi.iter().map(|(f, b)| (*f, b.as_slice())).collect();
    play(&mut live, 80_000, &events);
    assert!((live.session.model().tempo - 100.0).abs() < 0.02);
    assert!(live
        .session
        .execute("tempo follow link")
        .line()
        .contains("needs a build with the `link` feature"));
}
