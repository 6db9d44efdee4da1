//! The tempo map: musical time (beats) to frames, from absolute positions.

/// One constant-tempo segment of a [`TempoMap`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TempoSegment {
    /// Beat at which this segment starts.
    pub start_beat: f64,
    /// Frame at which this segment starts (exact, from the previous segments).
    pub start_frame: u64,
    /// Beats per minute within this segment.
    pub bpm: f64,
}

/// Maps beats to frames. Positions are always computed from the start of a
/// segment, never by adding step lengths, so there is no drift:
/// `frame = start_frame + round((beat - start_beat) * 60 / bpm * rate)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TempoMap {
    rate: f64,
    segments: Vec<TempoSegment>,
}

impl TempoMap {
    /// A map with one tempo from beat 0.
    pub fn constant(bpm: f64, rate: u32) -> Self {
        TempoMap {
            rate: f64::from(rate),
            segments: vec![TempoSegment {
                start_beat: 0.0,
                start_frame: 0,
                bpm,
            }],
        }
    }

    /// Change tempo from `beat` on (beats before it keep their frames).
    /// A change earlier than the last segment replaces the segments after it.
    pub fn set_tempo_from(&mut self, beat: f64, bpm: f64) {
        let start_frame = self.frame_at(beat);
        self.segments.retain(|s| s.start_beat < beat);
        self.segments.push(TempoSegment {
            start_beat: beat,
            start_frame,
            bpm,
        });
    }

    /// Sample rate in frames per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The segments, in order.
    pub fn segments(&self) -> &[TempoSegment] {
        &self.segments
    }

    /// The frame at which `beat` sounds (negative beats clamp to frame 0).
    pub fn frame_at(&self, beat: f64) -> u64 {
        let seg = self
            .segments
            .iter()
            .rev()
            .find(|s| s.start_beat <= beat)
            .unwrap_or(&self.segments[0]);
        let offset = ((beat - seg.start_beat) * 60.0 / seg.bpm * self.rate).round();
        if offset <= 0.0 && seg.start_frame == 0 {
            return 0;
        }
        (seg.start_frame as f64 + offset).max(0.0) as u64
    }
}

impl TempoMap {
    /// The beat position of `frame` (the inverse of [`TempoMap::frame_at`],
    /// up to rounding).
    pub fn beat_at(&self, frame: u64) -> f64 {
        let seg = self
            .segments
            .iter()
            .rev()
            .find(|s| s.start_frame <= frame)
            .unwrap_or(&self.segments[0]);
        seg.start_beat + (frame as f64 - seg.start_frame as f64) / self.rate * seg.bpm / 60.0
    }

    /// The same map counted at `rate` frames per second (every segment's
    /// start frame scaled), for a device that changed its rate.
    pub fn rescaled(&self, rate: u32) -> TempoMap {
        let ratio = f64::from(rate) / self.rate;
        TempoMap {
            rate: f64::from(rate),
            segments: self
                .segments
                .iter()
                .map(|s| TempoSegment {
                    start_frame: (s.start_frame as f64 * ratio).round() as u64,
                    ..*s
                })
                .collect(),
        }
    }

    /// The tempo in force at `beat`.
    pub fn bpm_at(&self, beat: f64) -> f64 {
        self.segments
            .iter()
            .rev()
            .find(|s| s.start_beat <= beat)
            .unwrap_or(&self.segments[0])
            .bpm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_positions_do_not_drift() {
        let map = TempoMap::constant(133.0, 48_000);
        // 100 bars of 4/4, the last sixteenth: formula, not accumulation.
        let beat = 399.75;
        assert_eq!(
            map.frame_at(beat),
            (beat * 60.0 / 133.0 * 48_000.0_f64).round() as u64
        );
        let mut acc = 0.0_f64;
        let step = 0.25 * 60.0 / 133.0 * 48_000.0;
        for _ in 0..1599 {
            acc += step;
        }
        // Accumulating would have to agree too, but we never rely on it.
        assert!((acc - map.frame_at(beat) as f64).abs() < 1.0);
    }

    #[test]
    fn beat_at_inverts_frame_at() {
        let mut map = TempoMap::constant(133.0, 48_000);
        map.set_tempo_from(16.0, 90.0);
        for beat in [0.0, 3.25, 15.75, 16.0, 17.5, 400.0] {
            let back = map.beat_at(map.frame_at(beat));
            assert!((back - beat).abs() < 1e-4, "{beat} -> {back}");
        }
        assert_eq!(map.bpm_at(15.9), 133.0);
        assert_eq!(map.bpm_at(16.0), 90.0);
    }

    #[test]
    fn tempo_change_keeps_earlier_frames() {
        let mut map = TempoMap::constant(120.0, 48_000);
        let before = map.frame_at(8.0);
        map.set_tempo_from(8.0, 60.0);
        assert_eq!(map.frame_at(8.0), before);
        assert_eq!(map.frame_at(9.0), before + 48_000);
        assert_eq!(map.frame_at(4.0), 96_000);
    }
}
