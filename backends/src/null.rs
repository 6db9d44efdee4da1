//! The device-free real-time backend: renders one period at a time, paced
//! by the monotonic clock as a sound card would be, and throws the audio
//! away. For tests, headless machines, and as the model of a live backend.

use crate::{AudioSource, BackendError, Flow, LiveBackend, Metrics, RunReport};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Plays in real time with no device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NullBackend {
    rate: u32,
    period: usize,
}

impl NullBackend {
    /// A null device at `rate` Hz with `period` frames per callback (1..=8192).
    pub fn new(rate: u32, period: usize) -> Self {
        NullBackend {
            rate,
            period: period.clamp(1, 8192),
        }
    }
}

impl LiveBackend for NullBackend {
    fn name(&self) -> &'static str {
        "null"
    }

    fn rate(&self) -> u32 {
        self.rate
    }

    fn period(&self) -> usize {
        self.period
    }

    fn play(
        self: Box<Self>,
        mut source: Box<dyn AudioSource + Send>,
        metrics: Arc<Metrics>,
    ) -> Result<RunReport, BackendError> {
        metrics.set_format(self.rate, self.period);
        metrics.set_latency(self.period as u64);
        let mut left = vec![0.0f32; self.period];
        let mut right = vec![0.0f32; self.period];
        // The clock: an instant and the frames played by then.
        let mut anchor = (Instant::now(), 0u64);
        let mut frames = 0u64;
        let period_time = Duration::from_secs_f64(self.period as f64 / f64::from(self.rate));
        loop {
            let t0 = Instant::now();
            let flow = source.process(&mut left, &mut right);
            let n = match flow {
                Flow::Continue => self.period,
                Flow::Finished { frames } => frames,
            };
            let took = t0.elapsed();
            metrics.callback(n, took);
            frames += n as u64;
            if matches!(flow, Flow::Finished { .. }) {
                break;
            }
            // Deadlines from the start, never accumulated: no drift.
            let ahead = frames - anchor.1;
            let deadline = anchor.0 + Duration::from_secs_f64(ahead as f64 / f64::from(self.rate));
            // A callback over its period's budget would have underrun a
            // device, and so would falling a period behind: an xrun (once
            // for the period, whichever happened). As a device restarts
            // after one, the clock starts again from now rather than
            // rushing to catch up.
            let now = Instant::now();
            if took > period_time || now > deadline + period_time {
                metrics.xrun();
                anchor = (now, frames);
            } else if now < deadline {
                std::thread::sleep(deadline - now);
            }
        }
        Ok(RunReport { frames })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `periods` periods, the `slow`-th taking `stall` (as this VM
    /// now and then does, or as a module too heavy for its period would).
    struct Stalls {
        periods: u32,
        slow: u32,
        stall: Duration,
    }

    impl AudioSource for Stalls {
        fn process(&mut self, left: &mut [f32], _right: &mut [f32]) -> Flow {
            self.periods -= 1;
            if self.periods == self.slow {
                std::thread::sleep(self.stall);
            }
            if self.periods == 0 {
                Flow::Finished { frames: left.len() }
            } else {
                Flow::Continue
            }
        }
    }

    #[test]
    fn a_callback_over_its_budget_is_an_xrun() {
        // 256 frames at 48 kHz: a 5.33 ms period; one callback takes 20 ms.
        let metrics = Arc::new(Metrics::new());
        let source = Stalls {
            periods: 40,
            slow: 20,
            stall: Duration::from_millis(20),
        };
        Box::new(NullBackend::new(48_000, 256))
            .play(Box::new(source), Arc::clone(&metrics))
            .unwrap();
        let r = metrics.report();
        assert!(r.max >= Duration::from_millis(20), "{:?}", r.max);
        // Once, not again for each period it then runs behind (this VM may
        // add a stall of its own).
        assert!((1..=2).contains(&r.xruns), "xruns {}", r.xruns);
        // A run without the stall has none (or the machine's own, rarely).
        let calm = Arc::new(Metrics::new());
        let source = Stalls {
            periods: 40,
            slow: 100,
            stall: Duration::ZERO,
        };
        Box::new(NullBackend::new(48_000, 256))
            .play(Box::new(source), Arc::clone(&calm))
            .unwrap();
        assert!(calm.report().xruns <= 1, "{}", calm.report().xruns);
    }

    struct Counted(u64);

    impl AudioSource for Counted {
        fn process(&mut self, left: &mut [f32], _right: &mut [f32]) -> Flow {
            self.0 += left.len() as u64;
            if self.0 >= 4800 {
                Flow::Finished { frames: left.len() }
            } else {
                Flow::Continue
            }
        }
    }

    #[test]
    fn plays_in_real_time() {
        let metrics = Arc::new(Metrics::new());
        let start = Instant::now();
        let report = Box::new(NullBackend::new(48_000, 480))
            .play(Box::new(Counted(0)), Arc::clone(&metrics))
            .unwrap();
        let took = start.elapsed();
        assert_eq!(report.frames, 4800);
        // 0.1 s of audio: the last period is not waited for.
        assert!(took >= Duration::from_millis(85), "{took:?}");
        assert_eq!(metrics.report().callbacks, 10);
    }
}
