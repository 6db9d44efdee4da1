//! When a song is over: after its last bar, once the output has been
//! silent (below -96 dBFS, no voice sounding) for half a second, or at the
//! latest [`MAX_TAIL_SECONDS`] after it. The offline renderer and live
//! playback end a song by this one rule, so a live take and its render
//! end on the same frame.

/// The longest tail after the last bar, in seconds.
pub const MAX_TAIL_SECONDS: u64 = 30;
/// Peak level under which the tail counts as silent (-96 dBFS).
const QUIET: f32 = 1.584_893e-5;
/// How long the tail must stay silent, in seconds.
const QUIET_SECONDS: f64 = 0.5;

/// Counts the silence of a song's tail. Audio thread safe.
#[derive(Clone, Copy, Debug)]
pub struct SongEnd {
    quiet_frames: u64,
    quiet_needed: u64,
    max_tail: u64,
}

impl SongEnd {
    /// The rule at `rate` Hz.
    pub fn new(rate: u32) -> Self {
        SongEnd {
            quiet_frames: 0,
            quiet_needed: (QUIET_SECONDS * f64::from(rate)) as u64,
            max_tail: MAX_TAIL_SECONDS * u64::from(rate),
        }
    }

    /// Frames of silence that end a tail.
    pub fn quiet_needed(&self) -> u64 {
        self.quiet_needed
    }

    /// After a block of the tail (`tail` frames past the last bar, the
    /// block's samples, voices still sounding): true when the song is over.
    pub fn over(&mut self, tail: u64, left: &[f32], right: &[f32], voices: usize) -> bool {
        let peak = left
            .iter()
            .chain(right.iter())
            .fold(0.0f32, |m, s| m.max(s.abs()));
        if peak < QUIET && voices == 0 {
            self.quiet_frames += left.len() as u64;
        } else {
            self.quiet_frames = 0;
        }
        self.quiet_frames >= self.quiet_needed || tail >= self.max_tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_second_of_silence_or_thirty_seconds_end_it() {
        let mut end = SongEnd::new(1000);
        let (quiet, loud) = ([0.0f32; 100], [0.1f32; 100]);
        for i in 0..4 {
            assert!(!end.over(i * 100, &quiet, &quiet, 0));
        }
        // A voice still sounding, or a loud block, starts the count again.
        assert!(!end.over(400, &quiet, &quiet, 1));
        assert!(!end.over(500, &loud, &quiet, 0));
        for i in 0..4 {
            assert!(!end.over(600 + i * 100, &quiet, &quiet, 0));
        }
        assert!(end.over(1000, &quiet, &quiet, 0));
        assert!(SongEnd::new(1000).over(30_000, &loud, &loud, 3));
    }
}
