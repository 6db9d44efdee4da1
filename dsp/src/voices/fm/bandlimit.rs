//! The pitch-aware index limit that keeps FM free of aliases.
//!
//! A sine carrier at `fc` phase-modulated by a sine at `fm` with index `β`
//! is the sum of lines at `fc + n·fm` with amplitudes `J_n(β)` (Bessel
//! functions of the first kind), for every integer `n`. Lines past Nyquist
//! fold back as aliases. `J_n(β)` is negligible once `|n|` exceeds `β` by a
//! margin (Carson's rule puts 98% of the power within `|n| ≤ β + 1`; the
//! tail beyond falls faster than exponentially), so the index is limited,
//! per voice and pitch, to the largest `β` whose lines past the fold all lie
//! below [`TAIL`] of its strongest line. Below that limit the sound is not
//! touched: a voice whose lines all fit is computed exactly as the formula
//! says. Above it, the voice is as bright as it can be without aliasing.
//!
//! The limit for `K` lines fitting above the carrier is found once, off the
//! audio thread, from the Bessel functions themselves (Miller's backward
//! recurrence), for every `K` up to the one that allows the largest index.

use std::sync::OnceLock;

/// The largest line past the fold, relative to the strongest line: -90 dB
/// (10 dB inside the -80 dB the FM voice promises).
pub const TAIL: f64 = 3.162_277_660_168_379_5e-5;

/// The largest documented index.
const MAX_INDEX: f64 = 50.0;

/// Index grid step used to find each limit.
const STEP: f64 = 0.005;

/// `J_0(β) ..= J_orders(β)`, by Miller's backward recurrence normalised with
/// `J_0 + 2·ΣJ_2k = 1` (accurate to about 1e-15 for every order here).
pub fn bessel_j(beta: f64, orders: usize) -> Vec<f64> {
    if beta == 0.0 {
        let mut j = vec![0.0; orders + 1];
        j[0] = 1.0;
        return j;
    }
    let start = (orders.max(beta as usize) + 40 + (beta as usize) / 2) | 1;
    let mut j = vec![0.0; start + 2];
    j[start] = 1e-300;
    for n in (1..=start).rev() {
        j[n - 1] = 2.0 * n as f64 / beta * j[n] - j[n + 1];
        if j[n - 1].abs() > 1e200 {
            for v in &mut j[n - 1..] {
                *v *= 1e-200;
            }
        }
    }
    let norm = j[0] + 2.0 * j.iter().skip(2).step_by(2).sum::<f64>();
    j.truncate(orders + 1);
    for v in &mut j {
        *v /= norm;
    }
    j
}

/// `limits()[k]`: the largest index whose lines beyond order `k` (on
/// either side) are all below [`TAIL`] of its strongest line. The table
/// ends at the first `k` whose limit reaches [`MAX_INDEX`].
pub fn limits() -> &'static [f64] {
    static LIMITS: OnceLock<Vec<f64>> = OnceLock::new();
    LIMITS.get_or_init(|| {
        let orders = 200;
        // The smallest order past which every line is in the tail, for
        // each index on the grid, made non-decreasing (a limit must hold
        // for every smaller index too).
        let mut needed = Vec::new();
        let mut worst = 0;
        for i in 0..=(MAX_INDEX / STEP) as usize + 1 {
            let beta = i as f64 * STEP;
            let j = bessel_j(beta, orders);
            let strongest = j.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let last = j
                .iter()
                .rposition(|v| v.abs() >= TAIL * strongest)
                .unwrap_or(0);
            worst = worst.max(last);
            needed.push(worst);
        }
        let mut table = Vec::new();
        for k in 0.. {
            let fits = needed.iter().take_while(|&&n| n <= k).count();
            let limit = (fits as f64 - 1.0).max(0.0) * STEP;
            table.push(limit.min(MAX_INDEX));
            if limit >= MAX_INDEX {
                break;
            }
        }
        table
    })
}

/// The largest index for a voice whose carrier is at `carrier` Hz and
/// modulator at `modulator` Hz, at `rate` Hz: lines up to `(rate/2 -
/// carrier) / modulator` orders above the carrier fit below Nyquist. The
/// limit is interpolated between whole orders (so it moves smoothly with
/// pitch) and never exceeds the limit of the whole orders that fit.
/// `f32::MAX` when no documented index can alias. Audio-thread safe once
/// [`limits`] has been called.
pub fn index_limit(carrier: f64, modulator: f64, rate: f64) -> f32 {
    let table = limits();
    if modulator <= 0.0 {
        return f32::MAX;
    }
    let fit = ((0.5 * rate - carrier) / modulator).max(0.0);
    let k = fit.floor();
    if k as usize >= table.len() {
        return f32::MAX;
    }
    let k = k as usize;
    let below = if k == 0 { 0.0 } else { table[k - 1] };
    (below + (table[k] - below) * (fit - k as f64)) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_values_match_the_tables() {
        // Abramowitz & Stegun, table 9.1 and 9.4.
        for (beta, n, want) in [
            (1.0, 0, 0.765_197_686_557_966_6),
            (1.0, 1, 0.440_050_585_744_933_5),
            (1.0, 2, 0.114_903_484_931_900_5),
            (10.0, 0, -0.245_935_764_451_348_3),
            (10.0, 10, 0.207_486_106_633_358_9),
            (10.0, 20, 1.151_336_924_781_340_5e-5),
            (50.0, 50, 0.121_409_021_897_614_56),
        ] {
            let got = bessel_j(beta, 60)[n];
            assert!(
                (got - want).abs() < 1e-12 * want.abs().max(1.0),
                "J{n}({beta}) = {got}"
            );
        }
    }

    #[test]
    fn the_limit_keeps_the_tail_below_minus_90_db() {
        let table = limits();
        assert!(table.len() > 60 && table.len() < 120, "{}", table.len());
        for (k, &limit) in table.iter().enumerate() {
            // Every index up to the limit has its lines past order k in the tail.
            for i in 0..=20 {
                let beta = limit * f64::from(i) / 20.0;
                let j = bessel_j(beta, 200);
                let strongest = j.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let tail = j[k + 1..].iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(tail <= TAIL * strongest * 1.0001, "k {k}, index {beta}");
            }
            // And a slightly larger one does not (the limit is not timid).
            if limit < MAX_INDEX {
                let j = bessel_j(limit + 2.0 * STEP, 200);
                let strongest = j.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(
                    j[k + 1..].iter().any(|v| v.abs() > TAIL * strongest),
                    "k {k}"
                );
            }
        }
    }

    #[test]
    fn the_limit_moves_smoothly_and_only_where_lines_would_fold() {
        // A4, ratio 2: 26.8 orders fit, more than index 10 needs.
        assert!(index_limit(440.0, 880.0, 48_000.0) > 12.0);
        let mut last = f32::MAX;
        let mut f = 27.5;
        while f < 4_200.0 {
            let limit = index_limit(f, 2.0 * f, 48_000.0);
            assert!(limit <= last, "{f} Hz");
            if last < 100.0 {
                assert!(
                    last - limit < 0.05 * last.max(1.0),
                    "{f} Hz: {last} -> {limit}"
                );
            }
            last = limit;
            f *= 1.001;
        }
        assert!(last < 2.0, "C8 ratio 2 keeps an index under 2: {last}");
        assert_eq!(index_limit(440.0, 0.0, 48_000.0), f32::MAX);
    }
}
