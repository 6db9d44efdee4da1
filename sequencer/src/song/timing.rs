//! A song's time: the meter of each bar (arrangement entries may change
//! it), where each bar starts, and the tempo map with its `tempo_changes`.

use super::{locate, Compiler, Song, SongError};
use serde::Deserialize;

/// `tempo_changes:` entries: `{ bar: 5, beat: 1.5, tempo: 140 }`.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a tempo change: { bar: N, beat: B, tempo: BPM } (bar from 1, beat from 0 within it)"
)]
pub(super) struct TempoChangeFile {
    bar: u64,
    #[serde(default)]
    beat: f64,
    tempo: f64,
}

impl Song {
    /// Beats in bar `bar` (0-based; bars past the end keep the last meter).
    pub fn meter_of(&self, bar: usize) -> u32 {
        self.meters
            .iter()
            .rev()
            .find(|(b, _)| *b <= bar)
            .map_or(self.meter, |m| m.1)
    }

    /// The beat at which bar `bar` (0-based) starts.
    pub fn bar_beat(&self, bar: usize) -> f64 {
        let (mut beat, mut from, mut meter) = (0.0, 0usize, self.meter);
        for &(b, m) in &self.meters {
            if b >= bar {
                break;
            }
            beat += (b - from) as f64 * f64::from(meter);
            from = b;
            meter = m;
        }
        beat + (bar - from) as f64 * f64::from(meter)
    }

    /// The song's tempo map at `rate`: its tempo, then each change.
    pub fn tempo_map(&self, rate: u32) -> crate::tempo::TempoMap {
        let mut map = crate::tempo::TempoMap::constant(self.tempo, rate);
        for &(beat, bpm) in &self.tempo_changes {
            map.set_tempo_from(beat, bpm);
        }
        map
    }
}

impl Compiler<'_> {
    /// `tempo_changes:` as beats from the song's start, checked.
    pub(super) fn tempo_changes(
        &self,
        changes: &[TempoChangeFile],
        song: &Song,
    ) -> Result<Vec<(f64, f64)>, SongError> {
        let mut out: Vec<(f64, f64)> = Vec::new();
        for (i, c) in changes.iter().enumerate() {
            let at = || locate::locate_item(self.src, "tempo_changes", i);
            if !(20.0..=400.0).contains(&c.tempo) {
                return Err(self.error(
                    at(),
                    format!(
                        "tempo_changes[{i}]: tempo {} is outside 20..400 BPM",
                        c.tempo
                    ),
                ));
            }
            let bar = c.bar.max(1) as usize - 1;
            let meter = f64::from(song.meter_of(bar));
            if c.bar == 0 || !(0.0..meter).contains(&c.beat) {
                return Err(self.error(
                    at(),
                    format!(
                        "tempo_changes[{i}]: bar {} beat {}: expected a bar from 1 and a beat from 0 to below {meter} (the bar's meter)",
                        c.bar, c.beat
                    ),
                ));
            }
            let beat = song.bar_beat(bar) + c.beat;
            if out.last().is_some_and(|l| l.0 >= beat) {
                return Err(self.error(
                    at(),
                    format!("tempo_changes[{i}]: bar {} beat {} is not after the change before it: give them in order", c.bar, c.beat),
                ));
            }
            out.push((beat, c.tempo));
        }
        Ok(out)
    }
}
