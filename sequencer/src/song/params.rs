//! Parameter structs with one table of defaults and ranges.
//!
//! `spec!` declares a parameter struct whose numeric fields each carry a
//! default and a range: the struct deserialises with `deny_unknown_fields`,
//! fills missing fields from the defaults, and `clamp` pulls out-of-range
//! values back with a [`Warning`] that names the key.

use super::Warning;

/// Clamp `value` into `lo..=hi`; on a change, record a warning naming `path.key`.
pub(crate) fn clamp_param(
    value: &mut f64,
    lo: f64,
    hi: f64,
    path: &str,
    key: &str,
    warnings: &mut Vec<Warning>,
) {
    let v = *value;
    let clamped = if v.is_nan() { lo } else { v.clamp(lo, hi) };
    if clamped != v {
        warnings.push(Warning {
            message: format!("{path}.{key} = {v} is out of range {lo}..{hi}; using {clamped}"),
        });
        *value = clamped;
    }
}

/// Declares a parameter struct: numeric fields with `default, min => max`,
/// then (after `+`) other fields with their defaults.
macro_rules! spec {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident = $default:expr, $lo:expr => $hi:expr ; )*
        }
        + { $( $(#[$ometa:meta])* $ofield:ident : $oty:ty = $odefault:expr ; )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: f64, )*
            $( $(#[$ometa])* pub $ofield: $oty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    $( $field: $default, )*
                    $( $ofield: $odefault, )*
                }
            }
        }

        impl $name {
            /// The numeric parameters as `(name, default, min, max)`.
            pub const PARAMS: &'static [(&'static str, f64, f64, f64)] =
                &[ $( (stringify!($field), $default, $lo, $hi), )* ];

            /// Clamp every numeric parameter into its range; each change adds a
            /// warning that names `path.key`.
            pub fn clamp(&mut self, path: &str, warnings: &mut Vec<$crate::song::Warning>) {
                $( $crate::song::params::clamp_param(
                    &mut self.$field, $lo, $hi, path, stringify!($field), warnings); )*
            }
        }
    };
}

/// Declares an instrument parameter struct: `spec!` plus the parameters every
/// instrument takes (`gain`, `pan`, `polyphony`, `effects`).
macro_rules! instrument_spec {
    (
        $(#[$meta:meta])*
        $name:ident { $($numbers:tt)* } + { $($others:tt)* }
    ) => {
        spec! {
            $(#[$meta])*
            $name {
                $($numbers)*
                /// Output level in dB.
                gain = 0.0, -60.0 => 24.0;
                /// Stereo position: -1 left, 0 centre, 1 right.
                pan = 0.0, -1.0 => 1.0;
                /// Number of voices; the oldest voice is stolen when all sound.
                polyphony = 16.0, 1.0 => 256.0;
            }
            + {
                $($others)*
                /// The scale that makes the patterns' plain numbers scale
                /// degrees (`C:minor`); none: numbers are MIDI notes.
                #[serde(skip_serializing_if = "Option::is_none")]
                scale: Option<String> = None;
                /// Insert effects, applied in list order.
                effects: Vec<$crate::song::EffectSpec> = Vec::new();
            }
        }
    };
}

pub(crate) use {instrument_spec, spec};
