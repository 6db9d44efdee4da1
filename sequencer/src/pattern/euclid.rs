//! Euclidean rhythms: Bjorklund's algorithm, as in Tidal.
//!
//! `bjorklund(k, n)` spreads `k` hits as evenly as possible over `n` steps
//! and is step-for-step identical to Tidal's `bjorklund` (after Toussaint,
//! "The Euclidean algorithm generates traditional musical rhythms"):
//! `(3,8)` is `x..x..x.`, `(5,8)` is `x.xx.xx.`. A rotation `r` (the third
//! argument of `x(k,n,r)`) rotates the pattern *left* by `r` steps, like
//! Tidal's `_euclidOff`, which is `rotL (r/n)`: `(3,8,2)` is `.x..x.x.`.

/// Bjorklund's distribution of `k` hits over `n` steps (`k <= n`).
///
/// Mirrors Tidal's `Sound.Tidal.Bjorklund`: start with `k` groups `[true]`
/// and `n-k` groups `[false]`, and repeatedly append the second kind of
/// group onto the first until one kind has at most one group left.
pub(crate) fn bjorklund(k: usize, n: usize) -> Vec<bool> {
    let k = k.min(n);
    let mut xs: Vec<Vec<bool>> = vec![vec![true]; k];
    let mut ys: Vec<Vec<bool>> = vec![vec![false]; n - k];
    loop {
        let (i, j) = (xs.len(), ys.len());
        if i.min(j) <= 1 {
            break;
        }
        if i > j {
            // left: the first j x-groups absorb the y-groups; the rest of
            // the x-groups become the new remainder.
            let rest = xs.split_off(j);
            for (x, y) in xs.iter_mut().zip(ys) {
                x.extend(y);
            }
            ys = rest;
        } else {
            // right: every x-group absorbs one y-group.
            let rest = ys.split_off(i);
            for (x, y) in xs.iter_mut().zip(ys) {
                x.extend(y);
            }
            ys = rest;
        }
    }
    xs.into_iter().chain(ys).flatten().collect()
}

/// The Euclidean pattern `(k, n)` rotated left by `r` steps (any integer;
/// negative rotates right).
pub(crate) fn euclid(k: usize, n: usize, r: i64) -> Vec<bool> {
    let base = bjorklund(k, n);
    if n == 0 {
        return base;
    }
    // n <= usize::MAX fits i128; the remainder is in 0..n.
    let shift = (i128::from(r).rem_euclid(n as i128)) as usize;
    (0..n).map(|i| base[(i + shift) % n]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: &[bool]) -> String {
        v.iter().map(|&b| if b { 'x' } else { '.' }).collect()
    }

    #[test]
    fn tidal_table() {
        assert_eq!(show(&bjorklund(3, 8)), "x..x..x.");
        assert_eq!(show(&bjorklund(5, 8)), "x.xx.xx.");
        assert_eq!(show(&bjorklund(7, 16)), "x..x.x.x..x.x.x.");
        assert_eq!(show(&bjorklund(2, 5)), "x.x..");
        assert_eq!(show(&bjorklund(3, 4)), "xxx.");
        assert_eq!(show(&bjorklund(4, 12)), "x..x..x..x..");
        assert_eq!(show(&bjorklund(5, 12)), "x..x.x..x.x.");
        assert_eq!(show(&bjorklund(9, 16)), "x.xx.x.x.xx.x.x.");
        assert_eq!(show(&bjorklund(0, 4)), "....");
        assert_eq!(show(&bjorklund(4, 4)), "xxxx");
        assert_eq!(show(&bjorklund(1, 1)), "x");
    }

    #[test]
    fn rotation_is_left() {
        assert_eq!(show(&euclid(3, 8, 0)), "x..x..x.");
        assert_eq!(show(&euclid(3, 8, 2)), ".x..x.x.");
        assert_eq!(show(&euclid(3, 8, 10)), ".x..x.x.");
        assert_eq!(show(&euclid(3, 8, -1)), ".x..x..x");
        assert_eq!(show(&euclid(5, 8, 1)), ".xx.xx.x");
    }

    #[test]
    fn hit_counts() {
        for n in 1..=64 {
            for k in 0..=n {
                let v = bjorklund(k, n);
                assert_eq!(v.len(), n);
                assert_eq!(v.iter().filter(|&&b| b).count(), k);
                if k > 0 {
                    assert!(v[0], "({k},{n}) starts with a hit");
                }
            }
        }
    }
}
