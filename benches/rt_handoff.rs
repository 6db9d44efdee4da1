//! What a second real-time thread would cost the live callback: each
//! 256-frame period (5.33 ms at 48 kHz) the callback thread wakes a helper
//! (a spinning atomic handshake, as an audio thread may: no lock, no system
//! call on the fast path), both render half of a 1 ms load, and the
//! callback waits for the helper's half before it can mix. Ten seconds of
//! periods; the waits' median, p99 and maximum. See docs/design.md.
//!
//! Run: `cargo bench --bench rt_handoff`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Spin for `d` (a stand-in for rendering).
fn busy(d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d {
        std::hint::spin_loop();
    }
}

fn main() {
    let period = Duration::from_micros(5333);
    let half = Duration::from_micros(500);
    let go = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let (go2, done2) = (Arc::clone(&go), Arc::clone(&done));
    let helper = std::thread::spawn(move || {
        let mut seen = 0;
        loop {
            let mut spins = 0u32;
            let v = loop {
                let v = go2.load(Ordering::Acquire);
                if v != seen {
                    break v;
                }
                spins += 1;
                if spins > 2000 {
                    std::thread::yield_now();
                }
            };
            if v == u64::MAX {
                return;
            }
            seen = v;
            busy(half);
            done2.store(v, Ordering::Release);
        }
    });
    let periods = 1875u32;
    let mut waits = Vec::with_capacity(periods as usize);
    let mut over = 0;
    let start = Instant::now();
    for i in 1..=periods {
        let began = Instant::now();
        go.store(u64::from(i), Ordering::Release);
        busy(half);
        let t = Instant::now();
        while done.load(Ordering::Acquire) != u64::from(i) {
            std::hint::spin_loop();
        }
        waits.push(t.elapsed().as_secs_f64() * 1e6);
        if began.elapsed() > period {
            over += 1;
        }
        let deadline = start + period * i;
        let now = Instant::now();
        if now < deadline {
            std::thread::sleep(deadline - now);
        }
    }
    go.store(u64::MAX, Ordering::Release);
    let _ = helper.join();
    waits.sort_by(f64::total_cmp);
    let at = |q: f64| waits[((waits.len() - 1) as f64 * q) as usize];
    println!(
        "{periods} periods of 5.33 ms: the callback waited for the helper's half a median {:.0} us, p99 {:.0} us, at most {:.0} us; {over} periods over their budget",
        at(0.5),
        at(0.99),
        waits[waits.len() - 1]
    );
}
