//! The live path: a sequencer thread that stays a look-ahead window ahead of
//! the audio clock and feeds frame-stamped events over a lock-free queue to
//! the engine running in a backend's audio callback.
//!
//! ```text
//!  sequencer thread ──rtrb<Event>──► audio callback (LiveSource: Engine)
//!        ▲                                   │
//!        └──────── AudioClock (frames) ◄─────┘
//! ```

pub mod audio;
pub mod clock;
pub mod error;
pub mod live_session;
pub mod manual;
pub mod midi_devices;
pub mod recorder;
pub mod rt_queue;
pub mod sequencer;
pub mod session;
pub mod song_timeline;
pub mod source;
pub mod timeline;

pub use clock::AudioClock;
pub use error::LiveError;
pub use rt_queue::RtQueue;
pub use sequencer::{SequencerHandle, SequencerOptions, Timeline};
pub use session::{play, PlayOptions, PlayReport};
pub use source::{LiveControl, LiveSource};
