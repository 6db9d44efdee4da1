//! The audio side of live playback: the engine in the backend's callback.

use super::{AudioClock, RtQueue};
use crate::engine::{Engine, EngineStats};
use chronus_backends::{AudioSource, Flow};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Fade-out length when asked to stop (about 10 ms at 48 kHz).
const FADE_SECONDS: f64 = 0.01;

/// Requests to, and counters from, a [`LiveSource`] running on the audio
/// thread. Cloning shares them.
#[derive(Clone, Debug, Default)]
pub struct LiveControl(Arc<ControlShared>);

#[derive(Debug, Default)]
struct ControlShared {
    stop: AtomicBool,
    song_done: AtomicBool,
    end_frame: AtomicU64,
    frames: AtomicU64,
    events: AtomicU64,
    late: AtomicU64,
    stale: AtomicU64,
    deferred: AtomicU64,
    commands: AtomicU64,
    faults: AtomicU64,
    leaked: AtomicU64,
    voices: AtomicU64,
    finished: AtomicBool,
}

impl LiveControl {
    /// Ask the source to fade out and finish.
    pub fn request_stop(&self) {
        self.0.stop.store(true, Ordering::Release);
    }

    /// Tell the source that no more events will come and the arrangement
    /// ends at `end_frame`: it finishes once the tail after that is silent.
    pub fn song_done(&self, end_frame: u64) {
        self.0.end_frame.store(end_frame, Ordering::Release);
        self.0.song_done.store(true, Ordering::Release);
    }

    /// True once the source has rendered its last block.
    pub fn finished(&self) -> bool {
        self.0.finished.load(Ordering::Acquire)
    }

    /// Engine counters as last published by the audio thread.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            frames: self.0.frames.load(Ordering::Acquire),
            events: self.0.events.load(Ordering::Acquire),
            late_events: self.0.late.load(Ordering::Acquire),
            bad_events: 0,
            stale_events: self.0.stale.load(Ordering::Acquire),
            deferred: self.0.deferred.load(Ordering::Acquire),
            commands: self.0.commands.load(Ordering::Acquire),
            faults: self.0.faults.load(Ordering::Acquire),
            leaked: self.0.leaked.load(Ordering::Acquire),
        }
    }

    /// Voices sounding at the last block.
    pub fn voices(&self) -> u64 {
        self.0.voices.load(Ordering::Acquire)
    }
}

/// Builds the engine again for a new sample rate (off the audio thread):
/// given the rate and a function that empties the event queue (to be called
/// once no more old-rate events can arrive), it returns the new engine, its
/// clock already at the frame to resume from.
pub type RateHook = Box<dyn FnMut(u32, &mut dyn FnMut()) -> Option<Engine> + Send>;

/// The engine fed from the sequencer's queue, as an [`AudioSource`] for a
/// live backend. Everything it touches in `process` is preallocated.
pub struct LiveSource {
    rate_hook: Option<RateHook>,
    /// How long before this callback the device's cycle began, when the
    /// backend says (nanoseconds).
    cycle_ago: Option<u64>,
    engine: Engine,
    queue: RtQueue,
    clock: AudioClock,
    control: LiveControl,
    /// The frame the last render began at (MIDI out offsets count from it).
    cycle_start: u64,
    /// Where MIDI out goes besides the backend's port (the ALSA output).
    alsa_out: Option<rtrb::Producer<crate::engine::midi_out::OutMessage>>,
    fade_len: u64,
    fade_left: Option<u64>,
    end: crate::song_end::SongEnd,
}

impl LiveSource {
    /// Wrap an engine, its event queue and the clock it publishes.
    pub fn new(engine: Engine, queue: RtQueue, clock: AudioClock, control: LiveControl) -> Self {
        let engine_rate = engine.rate();
        let rate = f64::from(engine_rate);
        LiveSource {
            rate_hook: None,
            cycle_ago: None,
            engine,
            queue,
            clock,
            control,
            cycle_start: 0,
            alsa_out: None,
            fade_len: (FADE_SECONDS * rate) as u64,
            fade_left: None,
            end: crate::song_end::SongEnd::new(engine_rate),
        }
    }

    /// Also send MIDI out to `ring` (read by the ALSA output's thread).
    pub fn with_midi_out(
        mut self,
        ring: rtrb::Producer<crate::engine::midi_out::OutMessage>,
    ) -> Self {
        self.alsa_out = Some(ring);
        self
    }

    /// Follow a device that changes its sample rate with `hook`.
    pub fn with_rate_hook(mut self, hook: RateHook) -> Self {
        self.rate_hook = Some(hook);
        self
    }

    fn publish(&self, block: usize, started: u64) {
        let s = self.engine.stats();
        let c = &self.control.0;
        c.frames.store(s.frames, Ordering::Release);
        c.events.store(s.events, Ordering::Release);
        c.late.store(s.late_events, Ordering::Release);
        c.stale.store(s.stale_events, Ordering::Release);
        c.deferred.store(s.deferred, Ordering::Release);
        c.commands.store(s.commands, Ordering::Release);
        c.faults.store(s.faults, Ordering::Release);
        c.leaked.store(s.leaked, Ordering::Release);
        c.voices
            .store(self.engine.active_voices() as u64, Ordering::Release);
        self.clock.publish_at(s.frames, block as u64, started);
    }

    fn finish(&mut self, frames: usize) -> Flow {
        self.control.0.finished.store(true, Ordering::Release);
        Flow::Finished { frames }
    }
}

impl AudioSource for LiveSource {
    /// Audio thread safe.
    fn cycle_began(&mut self, ago: std::time::Duration) {
        self.cycle_ago = Some(ago.as_nanos() as u64);
    }

    /// Audio thread safe: parsed and routed into preallocated buffers.
    fn midi_in(&mut self, offset: u32, bytes: &[u8]) {
        self.engine.midi_in(offset, bytes);
    }

    /// Audio thread safe: the last render's messages, at their offsets.
    fn midi_out(&mut self, out: &mut dyn FnMut(u32, &[u8])) {
        let start = self.cycle_start;
        let last = self.engine.frame().saturating_sub(start).max(1) - 1;
        for (frame, bytes, len) in self.engine.midi_out() {
            let offset = frame.saturating_sub(start).min(last) as u32;
            out(offset, &bytes[..usize::from(*len)]);
        }
    }

    /// Not audio-thread safe: rebuilds the engine (the backend calls it
    /// while no callback runs).
    fn set_rate(&mut self, rate: u32) -> bool {
        let Some(hook) = self.rate_hook.as_mut() else {
            return false;
        };
        let queue = &mut self.queue;
        let Some(engine) = hook(rate, &mut || queue.clear()) else {
            return false;
        };
        let r = f64::from(rate);
        // The old engine is dropped here, off the audio thread; its MIDI
        // inbox and counters carry over (other threads hold their ends).
        let mut engine = engine;
        engine.take_midi_from(&mut self.engine);
        self.engine = engine;
        self.fade_len = (FADE_SECONDS * r) as u64;
        self.end = crate::song_end::SongEnd::new(rate);
        self.clock.set_rate(rate);
        self.clock
            .publish_untimed(self.engine.frame(), self.clock.block());
        true
    }

    /// Audio thread safe: no allocation, no locks.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        if self.control.finished() {
            left.fill(0.0);
            right.fill(0.0);
            return Flow::Finished { frames: 0 };
        }
        // The block's start time: the clock's estimate of "now" counts from
        // when this block began, not from when it was done.
        let now = super::clock::monotonic_nanos();
        let started = now.saturating_sub(self.cycle_ago.take().unwrap_or(0));
        self.engine.clear_midi_out();
        self.cycle_start = self.engine.frame();
        self.engine.render(&mut self.queue, left, right);
        if let Some(out) = self.alsa_out.as_mut() {
            for m in self.engine.midi_out() {
                // A full ring (the sending thread stalled): dropped.
                let _ = out.push(*m);
            }
        }
        self.publish(left.len(), started);
        if self.fade_left.is_none() && self.control.0.stop.load(Ordering::Acquire) {
            self.fade_left = Some(self.fade_len);
        }
        if let Some(left_frames) = self.fade_left {
            let mut remaining = left_frames;
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let g = remaining as f32 / self.fade_len.max(1) as f32;
                *l *= g;
                *r *= g;
                remaining = remaining.saturating_sub(1);
            }
            self.fade_left = Some(remaining);
            if remaining == 0 {
                return self.finish(left.len());
            }
            return Flow::Continue;
        }
        let c = &self.control.0;
        if c.song_done.load(Ordering::Acquire)
            && self.engine.frame() > c.end_frame.load(Ordering::Acquire)
        {
            let tail = self.engine.frame() - c.end_frame.load(Ordering::Acquire);
            let voices = self.engine.active_voices();
            if self.end.over(tail, left, right, voices) {
                return self.finish(left.len());
            }
        }
        Flow::Continue
    }
}
