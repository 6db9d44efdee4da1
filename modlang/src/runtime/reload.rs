//! Hot reload: a module built from an edited file takes over the running
//! one's params and, where its units line up, their state.

use super::{Module, Op};

/// Which units can continue each other: the same unit with the same shape
/// or mode.
fn kind(op: &Op) -> Option<u8> {
    Some(match op {
        Op::Osc { osc, .. } => osc.shape_index(),
        Op::Noise { noise, .. } => 4 + u8::from(noise.is_pink()),
        Op::Filter { filter, .. } => 6 + filter.mode_index(),
        Op::Delay { .. } => 9,
        _ => return None,
    })
}

impl Module {
    /// Continue from `old`, the module this one replaces (hot reload).
    /// Params that exist in both (by name) keep where they are and where
    /// they glide to (clamped to this module's ranges). Units continue the
    /// old ones too: the k-th unit of each kind (a saw, a low-pass, a delay,
    /// ...) takes the k-th such unit's state (phase, filter memory, delay
    /// line), so an edit that keeps the graph's shape plays on without a
    /// click, and an unchanged file continues exactly. Allocates nothing.
    pub fn take_state_from(&mut self, old: &Module) {
        for p in &mut self.params {
            if let Some(o) = old.params.iter().find(|o| o.name == p.name) {
                let (v, t) = (o.value.value(), o.value.target());
                if (p.min..=p.max).contains(&v) && (p.min..=p.max).contains(&t) {
                    p.value = o.value;
                } else {
                    p.value.reset_to(t.clamp(p.min, p.max));
                }
            }
        }
        // Per kind, where the search for the next old unit resumes.
        let mut cursor = [0usize; 10];
        for op in &mut self.ops {
            let Some(k) = kind(op) else { continue };
            let from = &mut cursor[k as usize];
            let Some(i) = (*from..old.ops.len()).find(|&i| kind(&old.ops[i]) == Some(k)) else {
                *from = old.ops.len();
                continue;
            };
            *from = i + 1;
            match (op, &old.ops[i]) {
                (Op::Osc { osc, .. }, Op::Osc { osc: o, .. }) => osc.continue_from(o),
                (Op::Noise { noise, .. }, Op::Noise { noise: o, .. }) => noise.clone_from(o),
                (Op::Filter { filter, .. }, Op::Filter { filter: o, .. }) => {
                    filter.continue_from(o)
                }
                (Op::Delay { delay, .. }, Op::Delay { delay: o, .. }) => delay.continue_from(o),
                _ => {}
            }
        }
    }
}
