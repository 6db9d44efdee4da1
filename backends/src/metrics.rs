//! Live counters shared between a backend's audio callback and the rest of
//! the program: lock-free atomics only, so the callback can update them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Callback-time histogram resolution: buckets of 2 µs up to 20 ms.
const BUCKET_NS: u64 = 2_000;
const BUCKETS: usize = 10_000;

/// What a live backend measures while it plays.
#[derive(Debug)]
pub struct Metrics {
    frames: AtomicU64,
    callbacks: AtomicU64,
    xruns: AtomicU64,
    latency_frames: AtomicU64,
    period_frames: AtomicU64,
    rate: AtomicU64,
    total_ns: AtomicU64,
    max_ns: AtomicU64,
    histogram: Box<[AtomicU64]>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            frames: AtomicU64::new(0),
            callbacks: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            latency_frames: AtomicU64::new(0),
            period_frames: AtomicU64::new(0),
            rate: AtomicU64::new(0),
            total_ns: AtomicU64::new(0),
            max_ns: AtomicU64::new(0),
            histogram: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// A snapshot of [`Metrics`], for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MetricsReport {
    /// Frames delivered to the device.
    pub frames: u64,
    /// Audio callbacks run.
    pub callbacks: u64,
    /// Over- or underruns reported by the server.
    pub xruns: u64,
    /// Output latency reported by the backend, in frames.
    pub latency_frames: u64,
    /// Frames per period (the callback's budget).
    pub period_frames: u64,
    /// Sample rate in Hz.
    pub rate: u64,
    /// Mean callback time.
    pub mean: Duration,
    /// 99th percentile of callback time (2 µs resolution).
    pub p99: Duration,
    /// Longest callback.
    pub max: Duration,
}

impl MetricsReport {
    /// The period's duration: the callback's time budget.
    pub fn budget(&self) -> Duration {
        if self.rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.period_frames as f64 / self.rate as f64)
    }
}

impl Metrics {
    /// Fresh counters (allocates the histogram: call before playing).
    pub fn new() -> Self {
        Metrics::default()
    }

    /// Record the device format. Any thread.
    pub fn set_format(&self, rate: u32, period_frames: usize) {
        self.rate.store(u64::from(rate), Ordering::Relaxed);
        self.period_frames
            .store(period_frames as u64, Ordering::Relaxed);
    }

    /// Record the output latency the backend reports, in frames. Any thread.
    pub fn set_latency(&self, frames: u64) {
        self.latency_frames.store(frames, Ordering::Relaxed);
    }

    /// Count an over- or underrun. Audio thread safe.
    pub fn xrun(&self) {
        self.xruns.fetch_add(1, Ordering::Relaxed);
    }

    /// Record one callback: `frames` delivered in `took`. Audio thread safe.
    pub fn callback(&self, frames: usize, took: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.frames.fetch_add(frames as u64, Ordering::Relaxed);
        self.callbacks.fetch_add(1, Ordering::Relaxed);
        self.total_ns.fetch_add(ns, Ordering::Relaxed);
        self.max_ns.fetch_max(ns, Ordering::Relaxed);
        let bucket = ((ns / BUCKET_NS) as usize).min(BUCKETS - 1);
        self.histogram[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// A snapshot. Allocation-free, but meant for control threads.
    pub fn report(&self) -> MetricsReport {
        let callbacks = self.callbacks.load(Ordering::Relaxed);
        let total = self.total_ns.load(Ordering::Relaxed);
        let mut p99 = 0u64;
        if callbacks > 0 {
            let target = callbacks - callbacks / 100;
            let mut seen = 0u64;
            for (i, b) in self.histogram.iter().enumerate() {
                seen += b.load(Ordering::Relaxed);
                if seen >= target {
                    p99 = (i as u64 + 1) * BUCKET_NS;
                    break;
                }
            }
        }
        MetricsReport {
            frames: self.frames.load(Ordering::Relaxed),
            callbacks,
            xruns: self.xruns.load(Ordering::Relaxed),
            latency_frames: self.latency_frames.load(Ordering::Relaxed),
            period_frames: self.period_frames.load(Ordering::Relaxed),
            rate: self.rate.load(Ordering::Relaxed),
            mean: Duration::from_nanos(total.checked_div(callbacks).unwrap_or(0)),
            p99: Duration::from_nanos(p99),
            max: Duration::from_nanos(self.max_ns.load(Ordering::Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_means() {
        let m = Metrics::new();
        m.set_format(48_000, 64);
        for i in 0..1000u64 {
            let us = if i < 990 { 100 } else { 900 };
            m.callback(64, Duration::from_micros(us));
        }
        let r = m.report();
        assert_eq!(r.frames, 64_000);
        assert_eq!(r.callbacks, 1000);
        assert_eq!(r.max, Duration::from_micros(900));
        assert!(r.p99 >= Duration::from_micros(100) && r.p99 <= Duration::from_micros(102));
        assert_eq!(r.mean, Duration::from_nanos(108_000));
        assert_eq!(r.budget(), Duration::from_secs_f64(64.0 / 48_000.0));
    }
}
