//! The executable specifications: `specs/*.feature`, run with `cucumber`.
//!
//! Every step renders real audio through the library (`OfflineRender`, via
//! the helpers in `tests/common`) or runs the real `chronus` binary, and
//! measures the result: onset frames, pitch from zero crossings, alias and
//! harmonic levels from an FFT, the noise floor after fitting a sine. A step
//! without a definition fails the run (`fail_on_skipped`), so every scenario
//! must really pass.
//!
//! Run with `cargo test --test specs`; pass cucumber options after `--`
//! (for instance `-- --tags @MUS-01` or `-- --name Swing`).

mod common;

#[path = "specs/audio.rs"]
mod audio;
#[path = "specs/cli.rs"]
mod cli;
#[path = "specs/given.rs"]
mod given;
#[path = "specs/measure.rs"]
mod measure;
#[path = "specs/world.rs"]
mod world;

use cucumber::World as _;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake};

/// Drive a future to completion on this thread (the steps are synchronous;
/// cucumber needs no particular runtime).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}

fn main() {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");
    block_on(
        world::Chronus::cucumber()
            .fail_on_skipped()
            .run_and_exit(features),
    );
}
