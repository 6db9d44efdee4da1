//! The arrangement as it plays: which pattern each bar plays, stored as
//! runs, so `repeat: 100000` is one entry however many bars it lasts.

/// Which pattern each bar plays, run-length encoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bars {
    /// `(pattern index, bars)`, in order; no run is empty.
    runs: Vec<(usize, usize)>,
    /// The bar after each run (its running total).
    ends: Vec<usize>,
}

impl Bars {
    /// No bars.
    pub fn new() -> Self {
        Bars::default()
    }

    /// Play pattern `pattern` for `count` more bars.
    pub fn push_run(&mut self, pattern: usize, count: usize) {
        if count == 0 {
            return;
        }
        let end = self.len() + count;
        match self.runs.last_mut() {
            Some((p, n)) if *p == pattern => {
                *n += count;
                if let Some(e) = self.ends.last_mut() {
                    *e = end;
                }
            }
            _ => {
                self.runs.push((pattern, count));
                self.ends.push(end);
            }
        }
    }

    /// Bars in all.
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// No bars at all.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The pattern bar `bar` (0-based) plays.
    pub fn get(&self, bar: usize) -> Option<usize> {
        let run = self.ends.partition_point(|&end| end <= bar);
        self.runs.get(run).map(|&(p, _)| p)
    }

    /// The pattern of the first bar.
    pub fn first(&self) -> Option<usize> {
        self.runs.first().map(|&(p, _)| p)
    }

    /// The runs: `(pattern index, bars)`.
    pub fn runs(&self) -> &[(usize, usize)] {
        &self.runs
    }

    /// Every bar's pattern, one entry a bar (allocates that many).
    pub fn to_vec(&self) -> Vec<usize> {
        self.runs
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect()
    }
}

impl From<Vec<usize>> for Bars {
    fn from(v: Vec<usize>) -> Self {
        let mut bars = Bars::new();
        for p in v {
            bars.push_run(p, 1);
        }
        bars
    }
}

impl PartialEq<Vec<usize>> for Bars {
    fn eq(&self, other: &Vec<usize>) -> bool {
        self.len() == other.len()
            && other
                .iter()
                .enumerate()
                .all(|(i, p)| self.get(i) == Some(*p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_hold_any_number_of_bars_in_one_entry() {
        let mut bars = Bars::new();
        bars.push_run(0, 2);
        bars.push_run(1, 100_000);
        bars.push_run(1, 3);
        bars.push_run(0, 1);
        assert_eq!(bars.runs(), &[(0, 2), (1, 100_003), (0, 1)]);
        assert_eq!(bars.len(), 100_006);
        assert_eq!(
            [0, 1, 2, 100_004, 100_005, 100_006].map(|b| bars.get(b)),
            [Some(0), Some(0), Some(1), Some(1), Some(0), None]
        );
        assert_eq!(bars.first(), Some(0));
        assert_eq!(Bars::from(vec![2, 2, 0]), vec![2, 2, 0]);
        assert_eq!(Bars::from(vec![2, 2, 0]).to_vec(), vec![2, 2, 0]);
        assert!(Bars::new().is_empty() && Bars::new().get(0).is_none());
    }
}
