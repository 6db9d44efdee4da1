//! A live session driven block by block on the caller's thread, faster than
//! real time: the same engine, timeline and session as `chronus live`, with
//! the sequencer thread's work done in between blocks. Deterministic (the
//! clock is published untimed), so tests can check exact frames, and
//! previews can render a session without a device.

use super::sequencer::{lock, Timeline};
use super::timeline::LiveTimeline;
use super::{AudioClock, RtQueue};
use crate::engine::Engine;
use crate::session::Session;
use chronus_sequencer::Event;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A session and its engine, rendered on demand.
pub struct ManualLive {
    engine: Engine,
    queue: RtQueue,
    producer: rtrb::Producer<Event>,
    timeline: Arc<Mutex<LiveTimeline>>,
    clock: AudioClock,
    /// The session (send it command lines).
    pub session: Session,
    /// Where another thread's MIDI messages go (as the ALSA input's do).
    pub inbox: Option<rtrb::Producer<crate::engine::midi::Timed>>,
    /// What went out as MIDI, frames absolute (take it with
    /// `std::mem::take`).
    pub midi_out: Vec<crate::engine::midi_out::OutMessage>,
    block: usize,
    lookahead: u64,
    left: Vec<f32>,
    right: Vec<f32>,
    /// The capture's reading end and the history it fills, once listening.
    listening: Option<(
        crate::engine::capture::CaptureReader,
        Arc<Mutex<crate::listen::History>>,
    )>,
}

impl ManualLive {
    /// An empty session at `rate`, rendering in blocks of `block` frames with
    /// the live path's look-ahead (50 ms, at least four blocks); patches go
    /// to `patches`.
    pub fn new(rate: u32, block: usize, patches: PathBuf) -> Self {
        let mut engine = Engine::empty(rate);
        let handle = engine.take_handle();
        let midi = engine.take_midi_link();
        let (producer, consumer) = rtrb::RingBuffer::new(16_384);
        let timeline = Arc::new(Mutex::new(LiveTimeline::new(rate, 120.0, 4, 0.0, 0)));
        let clock = AudioClock::with_rate(rate);
        clock.publish_untimed(0, block as u64);
        let session = match handle {
            Some(h) => Session::new(rate, h, Arc::clone(&timeline), clock.clone(), patches),
            None => unreachable!("a new engine has its handle"),
        };
        let mut session = session;
        let mut inbox = None;
        if let Some(link) = midi {
            session.attach_midi(link.counters);
            if let Some(c) = link.clock {
                session.attach_midi_clock(c);
            }
            inbox = link.inbox;
        }
        let mut m = ManualLive {
            engine,
            queue: RtQueue::new(consumer),
            producer,
            timeline,
            clock,
            session,
            inbox,
            midi_out: Vec::new(),
            block,
            lookahead: (u64::from(rate) / 20).max(4 * block as u64),
            left: vec![0.0; block],
            right: vec![0.0; block],
            listening: None,
        };
        m.pump();
        m
    }

    /// The engine (for its counters).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Copy what the engine plays into a capture from now on, and return
    /// its reading end (see [`crate::engine::capture`]).
    pub fn capture(
        &mut self,
    ) -> (
        crate::engine::capture::CaptureReader,
        Arc<crate::engine::capture::CaptureShared>,
    ) {
        let (capture, reader, shared) = crate::engine::capture::capture();
        self.engine.set_capture(capture);
        (reader, shared)
    }

    /// Let the session `listen` to what this engine plays (the capture is
    /// emptied after every block).
    pub fn listen(&mut self) {
        let (reader, shared) = self.capture();
        let rate = self.engine.rate();
        let (listener, history) = crate::listen::Listener::manual(shared, rate);
        self.session.attach_listener(listener);
        self.listening = Some((reader, history));
    }

    /// Start the music at bar `bar` (0-based), before anything was played
    /// (a resumed session, a preview): returns that bar's frame.
    pub fn start_at_bar(&mut self, bar: u64) -> u64 {
        let frame = lock(&self.timeline).start_at_bar(bar);
        self.engine.set_frame(frame);
        // Not pumped yet, and the clock a moment before the bar line (the
        // engine's own clock is at it): what is loaded now, quantized to
        // the bar, lands on this very bar. The next block sets it right.
        let before = frame.saturating_sub(2 * self.clock.margin());
        self.clock.publish_untimed(before, self.block as u64);
        frame
    }

    /// Let the sequencer send what is due (after a song was loaded on the
    /// bar [`ManualLive::start_at_bar`] set, before the first render).
    pub fn prime(&mut self) {
        self.pump();
    }

    /// The frame bar `bar` (0-based) starts at, by the timeline's tempo map.
    pub fn bar_frame(&self, bar: u64) -> u64 {
        let tl = lock(&self.timeline);
        tl.map().frame_at(tl.bar_start(bar))
    }

    /// Render `frames` more frames with raw MIDI events at their absolute
    /// frames (sorted), as a JACK port delivers them.
    pub fn render_midi(
        &mut self,
        frames: u64,
        midi: &[(u64, &[u8])],
        out: (&mut Vec<f32>, &mut Vec<f32>),
    ) {
        self.render_midi_with(frames, midi, out, |f| f());
    }

    /// Frames rendered so far.
    pub fn frame(&self) -> u64 {
        self.engine.frame()
    }

    fn pump(&mut self) {
        let horizon = self.clock.now() + self.lookahead;
        let producer = &mut self.producer;
        lock(&self.timeline).pump(horizon, &mut |ev| producer.push(ev).is_ok());
    }

    /// Render `frames` more frames, appending them to `left`/`right`; `each`
    /// runs around every block's render (to wrap it in `assert_no_alloc`).
    pub fn render_with(
        &mut self,
        frames: u64,
        out: (&mut Vec<f32>, &mut Vec<f32>),
        each: impl FnMut(&mut dyn FnMut()),
    ) {
        self.render_midi_with(frames, &[], out, each);
    }

    /// As [`ManualLive::render_with`], with raw MIDI events arriving at
    /// their absolute frames (sorted), each handed to the engine just
    /// before the block it falls in, at its offset there (as the JACK
    /// backend does), inside `each`.
    pub fn render_midi_with(
        &mut self,
        frames: u64,
        midi: &[(u64, &[u8])],
        out: (&mut Vec<f32>, &mut Vec<f32>),
        mut each: impl FnMut(&mut dyn FnMut()),
    ) {
        let end = self.engine.frame() + frames;
        let mut next = midi.partition_point(|m| m.0 < self.engine.frame());
        while self.engine.frame() < end {
            let start = self.engine.frame();
            let n = ((end - start) as usize).min(self.block);
            let upto = next + midi[next..].partition_point(|m| m.0 < start + n as u64);
            let events = &midi[next..upto];
            next = upto;
            let (l, r) = (&mut self.left[..n], &mut self.right[..n]);
            let (engine, queue) = (&mut self.engine, &mut self.queue);
            each(&mut || {
                engine.clear_midi_out();
                for (frame, bytes) in events {
                    engine.midi_in((frame - start) as u32, bytes);
                }
                engine.render(queue, l, r);
            });
            self.midi_out.extend_from_slice(self.engine.midi_out());
            out.0.extend_from_slice(l);
            out.1.extend_from_slice(r);
            self.clock
                .publish_untimed(self.engine.frame(), self.block as u64);
            if let Some((reader, history)) = self.listening.as_mut() {
                let mut h = crate::listen::listener::lock(history);
                crate::listen::listener::drain_into(reader, &mut h);
            }
            self.pump();
            self.session.collect();
        }
    }

    /// Render `frames` more frames into `out`.
    pub fn render(&mut self, frames: u64, out: (&mut Vec<f32>, &mut Vec<f32>)) {
        self.render_with(frames, out, |f| f());
    }
}
