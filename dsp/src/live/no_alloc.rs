//! `set_param`, and everything the modules do after it, allocates nothing:
//! every instrument and effect type is built (which allocates), then played,
//! changed in every parameter (ramped and jumped) and played on inside
//! `assert_no_alloc`, which counts every allocation and free on the thread.

use super::testing::RATE;
use crate::effects::build as build_effect;
use crate::voices::build as build_instrument;
use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus_sequencer::song::{EffectSpec, InstrumentSpec};

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

fn specs<T: Clone>(kinds: &[&str], parse: impl Fn(&str) -> T) -> Vec<T> {
    kinds.iter().map(|k| parse(&format!("type: {k}"))).collect()
}

/// The value each parameter is set to: the top of its range, then the bottom.
fn far(table: super::ParamTable, i: usize, top: bool) -> f32 {
    let (_, _, lo, hi) = table[i];
    (if top { hi } else { lo }) as f32
}

fn table_of_instrument(spec: &InstrumentSpec) -> super::ParamTable {
    spec.params()
}

fn table_of_effect(spec: &EffectSpec) -> super::ParamTable {
    spec.params()
}

#[test]
fn set_param_and_what_follows_do_not_allocate() {
    let instruments: Vec<InstrumentSpec> = specs(&InstrumentSpec::KINDS, |y| {
        serde_yaml_ng::from_str(y).unwrap_or_else(|e| panic!("{e}"))
    });
    let effects: Vec<EffectSpec> = specs(&EffectSpec::KINDS, |y| {
        serde_yaml_ng::from_str(y).unwrap_or_else(|e| panic!("{e}"))
    });
    let mut built_i: Vec<_> = instruments
        .iter()
        .map(|s| (table_of_instrument(s), build_instrument(s, RATE)))
        .collect();
    let mut built_e: Vec<_> = effects
        .iter()
        .map(|s| (table_of_effect(s), build_effect(s, RATE)))
        .collect();
    let mut mono = [0.0f32; 64];
    let (mut left, mut right) = ([0.0f32; 64], [0.0f32; 64]);
    reset_violation_count();
    assert_no_alloc(|| {
        for (table, inst) in built_i.iter_mut() {
            inst.note_on(1, Some(60.0), 0.8);
            inst.note_on(2, None, 0.8);
            for round in 0..4 {
                for i in 0..table.len() + 1 {
                    inst.set_param(
                        i,
                        far(table, i.min(table.len() - 1), round % 2 == 0),
                        240 * (round / 2),
                    );
                    inst.render(&mut mono[..37]);
                    inst.render(&mut mono[37..]);
                }
                inst.set_param(0, f32::NAN, 240);
                inst.note_off(1);
                for _ in 0..100 {
                    inst.render(&mut mono);
                }
            }
        }
        for (table, fx) in built_e.iter_mut() {
            for round in 0..4 {
                for i in 0..table.len() + 1 {
                    fx.set_param(
                        i,
                        far(table, i.min(table.len() - 1), round % 2 == 1),
                        240 * (round / 2),
                    );
                    for (n, (l, r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
                        (*l, *r) = ((n as f32 * 0.1).sin(), (n as f32 * 0.13).cos());
                    }
                    fx.process(&mut left, &mut right);
                }
                for _ in 0..100 {
                    fx.process(&mut left, &mut right);
                }
            }
        }
    });
    assert_eq!(violation_count(), 0, "allocations on the audio path");
}
