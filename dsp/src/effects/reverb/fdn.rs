//! The reverb's network: input diffusers and a 16-line feedback delay
//! network, processed a chunk of up to 64 frames at a time.
//!
//! Every delay here (line or diffuser) is at least as long as the chunk, so
//! the samples a chunk reads were all written before it began: each stage
//! runs over the whole chunk as plain array loops along time (one row per
//! line), which the compiler vectorises, instead of one frame at a time
//! through the matrix. The result per sample does not depend on how the
//! frames are cut into chunks (no state but the delay lines crosses a frame).

/// Number of feedback delay lines.
pub(super) const LINES: usize = 16;
/// Longest chunk (the reverb's grid).
pub(super) const CHUNK: usize = crate::MAX_BLOCK;
/// All-pass diffusers per channel before the network.
const DIFFUSERS: usize = 4;
/// Values smaller than this (-150 dBFS) are stored as exact zeros, so a
/// tail that has died away leaves the network exactly silent (and no value
/// in it is ever denormal).
pub(super) const FLOOR: f32 = 3.162e-8;

/// The diffusers' delays in seconds (left, right), and their gain. (Scaled
/// with the room, they made the large rooms' echo density build slower.)
const DIFFUSER_DELAYS: [[f64; DIFFUSERS]; 2] = [
    [0.001_53, 0.002_63, 0.003_97, 0.005_71],
    [0.001_69, 0.002_41, 0.004_19, 0.006_07],
];
const DIFFUSER_GAIN: f32 = 0.6;

/// The signs with which the lines reach the left and the right output. Each
/// row sums to zero, which cancels the lines' common mode, and the rows are
/// orthogonal, so a mono source's tail comes out decorrelated even though
/// both channels hear every line (twice the echoes of one line per
/// channel). Neither is a row of the feedback matrix (a Walsh function),
/// so no output is just one line's next input.
const SIGNS: [[f32; LINES]; 2] = [
    [
        1., 1., -1., 1., -1., -1., 1., -1., 1., -1., -1., 1., 1., 1., -1., -1.,
    ],
    [
        1., -1., -1., -1., -1., 1., 1., 1., 1., 1., -1., -1., 1., -1., -1., 1.,
    ],
];

/// A ring buffer inside the shared store.
#[derive(Clone, Copy, Default)]
struct Ring {
    start: usize,
    len: usize,
    pos: usize,
}

impl Ring {
    /// Copy the next `out.len()` samples (the oldest first) out of the ring.
    #[inline]
    fn read(&self, store: &[f32], out: &mut [f32]) {
        let seg = &store[self.start..self.start + self.len];
        let n = out.len();
        let first = (self.len - self.pos).min(n);
        out[..first].copy_from_slice(&seg[self.pos..self.pos + first]);
        out[first..].copy_from_slice(&seg[..n - first]);
    }

    /// The next `n` samples (the oldest first) in place, as the part up to
    /// the ring's end and the part from its start; what is written there
    /// is what the ring gives back after its length. Then call
    /// [`Ring::advance`].
    #[inline]
    fn next_mut<'a>(&self, store: &'a mut [f32], n: usize) -> (&'a mut [f32], &'a mut [f32]) {
        let seg = &mut store[self.start..self.start + self.len];
        let first = (self.len - self.pos).min(n);
        let (wrapped, tail) = seg.split_at_mut(self.pos);
        (&mut tail[..first], &mut wrapped[..n - first])
    }

    /// Move past the `n` samples just read and written.
    #[inline]
    fn advance(&mut self, n: usize) {
        self.pos += n;
        if self.pos >= self.len {
            self.pos -= self.len;
        }
    }
}

/// `x`, or exactly 0 below [`FLOOR`].
#[inline(always)]
fn snap(x: f32) -> f32 {
    if x.abs() < FLOOR {
        0.0
    } else {
        x
    }
}

/// The bits of `v`'s samples ORed together, sign cleared: 0 iff all are 0.
#[inline]
fn any_bits(v: &[f32]) -> u32 {
    v.iter().fold(0, |a, x| a | x.to_bits()) & 0x7fff_ffff
}

/// The network: its memory and the loop filters' weights.
pub(super) struct Fdn {
    /// Every delay line and diffuser, end to end (one allocation).
    store: Vec<f32>,
    lines: [Ring; LINES],
    diffusers: [[Ring; DIFFUSERS]; 2],
    /// Each line's last two outputs (the loop filter's memory).
    hist: [[f32; 2]; LINES],
    /// Loop filter weights of each line: centre tap, side taps (they
    /// include the line's loop gain and the Hadamard matrix's 1/4).
    centre: [f32; LINES],
    side: [f32; LINES],
    /// Each line's loop length in samples (delay plus the filter's centre
    /// tap) and the mean of them.
    loop_len: [f64; LINES],
    mean_loop: f64,
    /// Work rows: line outputs with two frames of history in front, and
    /// the filtered outputs (then mixed in place by the matrix).
    taps: [[f32; CHUNK + 2]; LINES],
    mixed: [[f32; CHUNK]; LINES],
    /// Frames in a row (whole chunks) in which every value stored was 0,
    /// and how many make the whole network exactly silent.
    quiet: usize,
    settle: usize,
    /// Longest chunk `process` takes at this rate.
    pub(super) max_chunk: usize,
}

/// The smallest prime at or above `n` that is not in `used`.
fn prime_from(mut n: usize, used: &[usize]) -> usize {
    let is_prime = |n: usize| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    while !is_prime(n) || used.contains(&n) {
        n += 1;
    }
    n
}

impl Fdn {
    /// A network whose lines are `delays` seconds long (each rounded to a
    /// distinct prime number of samples, so all are mutually prime) at
    /// `rate` Hz, with every buffer allocated and written once.
    pub(super) fn new(delays: &[f64; LINES], rate: f32) -> Self {
        let rate = f64::from(rate);
        let mut used = Vec::new();
        for d in delays {
            let m = prime_from((d * rate).round() as usize, &used);
            used.push(m);
        }
        let mut lens: Vec<usize> = used.clone();
        for ch in DIFFUSER_DELAYS {
            lens.extend(ch.iter().map(|d| ((d * rate).round() as usize).max(2)));
        }
        let mut rings = lens.iter().scan(0, |start, &len| {
            let ring = Ring {
                start: *start,
                len,
                pos: 0,
            };
            *start += len;
            Some(ring)
        });
        let lines: [Ring; LINES] = std::array::from_fn(|_| rings.next().unwrap_or_default());
        let diffusers =
            std::array::from_fn(|_| std::array::from_fn(|_| rings.next().unwrap_or_default()));
        // `vec!` of zeros may map fresh pages lazily: write them all now so
        // the audio thread never takes the first-touch page faults.
        let total: usize = lens.iter().sum();
        let mut store = Vec::with_capacity(total);
        store.resize(total, 0.0);
        for x in store.iter_mut() {
            *x = std::hint::black_box(0.0);
        }
        let loop_len = std::array::from_fn(|i| (used[i] + 1) as f64);
        let max_len = lens.iter().copied().max().unwrap_or(0);
        let min_len = lens.iter().copied().min().unwrap_or(1);
        Fdn {
            store,
            lines,
            diffusers,
            hist: [[0.0; 2]; LINES],
            centre: [0.0; LINES],
            side: [0.0; LINES],
            loop_len,
            mean_loop: loop_len.iter().sum::<f64>() / LINES as f64,
            taps: [[0.0; CHUNK + 2]; LINES],
            mixed: [[0.0; CHUNK]; LINES],
            quiet: usize::MAX,
            settle: max_len + 2,
            max_chunk: min_len.min(CHUNK),
        }
    }

    /// The lines' lengths in samples.
    #[cfg(test)]
    pub(super) fn line_lengths(&self) -> [usize; LINES] {
        self.lines.map(|r| r.len)
    }

    /// Set the loop filters for an RT60 of `decay` seconds at `rate` Hz and
    /// `damping` 0..1 (the gain at Nyquist relative to DC of a loop of the
    /// mean length; each line's scaled to its own length, so high
    /// frequencies, too, decay at one rate in every line). Each line's
    /// filter is the 3-tap FIR `(side, centre, side)`, unity at DC.
    pub(super) fn set_decay(&mut self, decay: f64, damping: f32, rate: f32) {
        let per_sample = -3.0 / (decay * f64::from(rate));
        let nyquist = f64::from(1.0 - damping.clamp(0.0, 1.0));
        for i in 0..LINES {
            let gain = 10f64.powf(per_sample * self.loop_len[i]);
            let r = nyquist.powf(self.loop_len[i] / self.mean_loop);
            // Unity at DC, `r` at Nyquist; the 1/4 normalises the matrix.
            self.centre[i] = (gain * (1.0 + r) / 8.0) as f32;
            self.side[i] = (gain * (1.0 - r) / 16.0) as f32;
        }
    }

    /// Clear all memory.
    pub(super) fn reset(&mut self) {
        self.store.fill(0.0);
        self.hist = [[0.0; 2]; LINES];
        self.quiet = usize::MAX;
    }

    /// True when every value in the network is exactly 0: then an input
    /// below [`FLOOR`] would leave it so and produce exact zeros.
    #[inline]
    pub(super) fn is_silent(&self) -> bool {
        self.quiet >= self.settle
    }

    /// Run one chunk (at most [`Fdn::max_chunk`] frames): the input `left`
    /// and `right`, the wet output (before any output gain) written to
    /// `wet_l` and `wet_r`. Line `i` takes the input of channel `i % 2`;
    /// every line sends to both channels, with the signs [`SIGNS`].
    pub(super) fn process(
        &mut self,
        left: &[f32],
        right: &[f32],
        wet_l: &mut [f32],
        wet_r: &mut [f32],
    ) {
        let n = left.len();
        debug_assert!(n <= self.max_chunk && right.len() == n);
        debug_assert!(wet_l.len() == n && wet_r.len() == n);
        let mut nonzero = 0;

        // Diffuse each channel through its all-passes.
        let mut input = [[0.0f32; CHUNK]; 2];
        input[0][..n].copy_from_slice(left);
        input[1][..n].copy_from_slice(right);
        for (x, rings) in input.iter_mut().zip(&mut self.diffusers) {
            let x = &mut x[..n];
            for ring in rings.iter_mut() {
                // In place in the ring: what it held comes out, the new
                // value goes in (copying each block out and back was half
                // of what the reverb cost).
                let (a, b) = ring.next_mut(&mut self.store, n);
                let (xa, xb) = x.split_at_mut(a.len());
                for (x, o) in [(xa, &mut *a), (xb, &mut *b)] {
                    for (x, o) in x.iter_mut().zip(o.iter_mut()) {
                        let v = snap(*x + DIFFUSER_GAIN * *o);
                        *x = *o - DIFFUSER_GAIN * v;
                        *o = v;
                    }
                }
                nonzero |= any_bits(a) | any_bits(b);
                ring.advance(n);
            }
        }

        // Read the lines and filter them.
        for i in 0..LINES {
            let row = &mut self.taps[i];
            row[..2].copy_from_slice(&self.hist[i]);
            self.lines[i].read(&self.store, &mut row[2..n + 2]);
            self.hist[i] = [row[n], row[n + 1]];
            let (c, s) = (self.centre[i], self.side[i]);
            let y = &mut self.mixed[i][..n];
            for (t, y) in y.iter_mut().enumerate() {
                *y = s * (row[t] + row[t + 2]) + c * row[t + 1];
            }
        }

        // Output taps.
        wet_l.fill(0.0);
        wet_r.fill(0.0);
        for (i, y) in self.mixed.iter().enumerate() {
            let (sl, sr) = (SIGNS[0][i], SIGNS[1][i]);
            for ((l, r), y) in wet_l.iter_mut().zip(wet_r.iter_mut()).zip(y) {
                *l += sl * y;
                *r += sr * y;
            }
        }

        // Mix: a 16-point Walsh-Hadamard transform as two radix-4 passes
        // (rows 4k..4k+3, then rows k, k+4, k+8, k+12).
        for stride in [1, 4] {
            for base in [0, 1, 2, 3].map(|k| if stride == 1 { 4 * k } else { k }) {
                let [a, b, c, d] = self
                    .mixed
                    .get_disjoint_mut([base, base + stride, base + 2 * stride, base + 3 * stride])
                    .unwrap_or_else(|_| unreachable!());
                for t in 0..n {
                    let (p, q) = (a[t] + b[t], a[t] - b[t]);
                    let (r, s) = (c[t] + d[t], c[t] - d[t]);
                    a[t] = p + r;
                    b[t] = q + s;
                    c[t] = p - r;
                    d[t] = q - s;
                }
            }
        }

        // Feed back with the input, store.
        for i in 0..LINES {
            let x = &input[i % 2][..n];
            let u = &self.mixed[i][..n];
            let (a, b) = self.lines[i].next_mut(&mut self.store, n);
            let (ua, ub) = u.split_at(a.len());
            let (xa, xb) = x.split_at(a.len());
            for (slot, (u, x)) in a.iter_mut().zip(ua.iter().zip(xa)) {
                *slot = snap(*u + x);
            }
            for (slot, (u, x)) in b.iter_mut().zip(ub.iter().zip(xb)) {
                *slot = snap(*u + x);
            }
            nonzero |= any_bits(a) | any_bits(b);
            self.lines[i].advance(n);
        }

        self.quiet = if nonzero == 0 {
            self.quiet.saturating_add(n)
        } else {
            0
        };
    }
}
