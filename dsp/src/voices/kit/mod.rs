//! The kit: Chronus's drum voices behind the General MIDI drum map, so
//! sound names (`bd sn hh`, resolved to GM notes by the sequencer's
//! `pitch::kit`) and MIDI drum pads play the same drums.
//!
//! Each drum is its own small voice bank, built from a tuned variant of the
//! drum instruments' specs; `tune` shifts every drum's frequencies and
//! `decay` scales every decay (both rebuild the kit). A note outside the
//! map is ignored; a note without pitch (`x`) plays the bass drum.

mod cowbell;

use super::clap::ClapVoices;
use super::hihat::HihatVoices;
use super::kick::KickVoices;
use super::pool::{pool_instrument, voice_count, Pool};
use super::sampler::SamplerVoices;
use super::snare::SnareVoices;
use super::tom::TomVoices;
use crate::{Instrument, MAX_BLOCK};
use chronus_sequencer::song::kit_samples::FIRST_SLOT;
use chronus_sequencer::song::{
    ClapSpec, HatSource, HihatSpec, InstrumentSpec, KickSpec, KitSpec, SamplerSpec, SnareSpec,
    TomSpec,
};
use cowbell::CowbellVoice;

/// The GM note a pitchless hit plays (bass drum 1).
const DEFAULT_NOTE: u8 = 36;
/// The open hi-hat's GM note.
const OPEN_HAT: u8 = 46;
/// Most voices each drum keeps (a kit's `polyphony` is per drum, capped).
const MAX_PER_DRUM: f64 = 8.0;

/// The cowbell's voices.
struct Cowbells {
    pool: Pool<CowbellVoice>,
}

pool_instrument!(Cowbells, KitSpec);

/// One drum of the kit and its output level.
struct Drum {
    bank: Box<dyn Instrument>,
    level: f32,
}

/// The voices of a `kit` instrument.
pub struct KitVoices {
    drums: Vec<Drum>,
    /// GM note to index into `drums` (`u8::MAX`: no drum).
    map: [u8; 128],
    /// Sample slot `k` (note `FIRST_SLOT + k`) to index into `drums`.
    slots: Vec<usize>,
    scratch: [f32; MAX_BLOCK],
}

impl KitVoices {
    /// Every drum for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &KitSpec, rate: f32) -> Self {
        let shift = 2f64.powf(spec.tune / 12.0);
        let d = spec.decay;
        let poly = spec.polyphony.min(MAX_PER_DRUM);
        let mut kit = KitVoices {
            drums: Vec::new(),
            map: [u8::MAX; 128],
            slots: Vec::new(),
            scratch: [0.0; MAX_BLOCK],
        };
        let kick = |freq: f64, decay: f64, click: f64| {
            InstrumentSpec::Kick(KickSpec {
                freq: freq * shift,
                decay: decay * d,
                click,
                polyphony: poly,
                ..KickSpec::default()
            })
        };
        let snare = |freq: f64, decay: f64, tone: f64, cutoff: f64| {
            InstrumentSpec::Snare(SnareSpec {
                freq: freq * shift,
                decay: decay * d,
                tone,
                cutoff: (cutoff * shift).min(16_000.0),
                polyphony: poly,
                ..SnareSpec::default()
            })
        };
        let hat = |decay: f64, freq: f64| {
            InstrumentSpec::Hihat(HihatSpec {
                decay: decay * d,
                freq: (freq * shift).clamp(1000.0, 18_000.0),
                noise: HatSource::Metallic,
                polyphony: poly,
                ..HihatSpec::default()
            })
        };
        let tom = |freq: f64, decay: f64| {
            InstrumentSpec::Tom(TomSpec {
                freq: freq * shift,
                decay: decay * d,
                polyphony: poly,
                ..TomSpec::default()
            })
        };
        let drums: [(&[u8], InstrumentSpec); 16] = [
            (&[35], kick(45.0, 0.5, 0.2)),
            (&[36], kick(50.0, 0.4, 0.3)),
            (&[37], snare(480.0, 0.05, 0.7, 6000.0)),
            (&[38], snare(180.0, 0.2, 0.4, 3000.0)),
            (&[40], snare(220.0, 0.25, 0.3, 6000.0)),
            (
                &[39],
                InstrumentSpec::Clap(ClapSpec {
                    freq: 1200.0 * shift,
                    decay: 0.2 * d,
                    polyphony: poly,
                    ..ClapSpec::default()
                }),
            ),
            (&[42], hat(0.05, 8000.0)),
            (&[44], hat(0.03, 7000.0)),
            (&[46], hat(0.4, 8000.0)),
            (&[41], tom(82.0, 0.4)),
            (&[43], tom(98.0, 0.4)),
            (&[45], tom(110.0, 0.35)),
            (&[47], tom(131.0, 0.35)),
            (&[48], tom(147.0, 0.3)),
            (&[50], tom(175.0, 0.3)),
            (&[], InstrumentSpec::Kit(spec.clone())),
        ];
        for (notes, drum) in drums {
            let (bank, level): (Box<dyn Instrument>, f32) = match &drum {
                InstrumentSpec::Kick(s) => (Box::new(KickVoices::new(s, rate)), 0.5),
                InstrumentSpec::Snare(s) => (Box::new(SnareVoices::new(s, rate)), 0.5),
                InstrumentSpec::Clap(s) => (Box::new(ClapVoices::new(s, rate)), 0.5),
                InstrumentSpec::Hihat(s) => (Box::new(HihatVoices::new(s, rate)), 0.708),
                InstrumentSpec::Tom(s) => (Box::new(TomVoices::new(s, rate)), 0.5),
                _ => {
                    let decay = 0.3 * d;
                    let cow = Cowbells {
                        pool: Pool::new(voice_count(poly), |_| {
                            CowbellVoice::new(shift as f32, decay, rate)
                        }),
                    };
                    kit.add(&[56], Box::new(cow), 1.0);
                    continue;
                }
            };
            kit.add(notes, bank, level);
        }
        // The sample folder's files, slot by slot, as one-shots at the
        // kit's tuning.
        let folder = spec
            .samples
            .as_deref()
            .and_then(|d| chronus_sequencer::song::kit_samples::scan(std::path::Path::new(d)).ok());
        for file in folder.iter().flat_map(|f| f.files()) {
            let sampler = SamplerSpec {
                file: file.to_string_lossy().into_owned(),
                speed: shift.clamp(0.125, 8.0),
                polyphony: poly,
                ..SamplerSpec::default()
            };
            kit.slots.push(kit.drums.len());
            kit.drums.push(Drum {
                bank: Box::new(SamplerVoices::new(&sampler, rate)),
                level: 1.0,
            });
        }
        kit
    }

    fn add(&mut self, notes: &[u8], bank: Box<dyn Instrument>, level: f32) {
        let index = self.drums.len() as u8;
        for &n in notes {
            self.map[usize::from(n)] = index;
        }
        self.drums.push(Drum { bank, level });
    }

    /// The drum that GM note `pitch` plays, if any.
    fn drum(&mut self, pitch: Option<f32>) -> Option<&mut Drum> {
        let note = match pitch {
            None => DEFAULT_NOTE,
            Some(p) if p.is_finite() && (0.0..128.0).contains(&p.round()) => p.round() as u8,
            Some(_) => return None,
        };
        let i = self.map[usize::from(note)];
        self.drums.get_mut(usize::from(i))
    }

    /// The sample slot that note `pitch` plays, if any.
    fn slot(&mut self, pitch: Option<f32>) -> Option<&mut Drum> {
        let p = pitch?.round();
        let first = FIRST_SLOT as f32;
        if !(p >= first && p < first + self.slots.len() as f32) {
            return None;
        }
        let i = self.slots[(p - first) as usize];
        self.drums.get_mut(i)
    }
}

impl Instrument for KitVoices {
    fn note_on(&mut self, id: u32, pitch: Option<f32>, velocity: f32) {
        // A closed or pedal hi-hat chokes the open one, as on a real kit.
        if matches!(pitch.map(f32::round), Some(42.0 | 44.0)) {
            let open = self.map[usize::from(OPEN_HAT)];
            if let Some(d) = self.drums.get_mut(usize::from(open)) {
                d.bank.choke();
            }
        }
        if let Some(d) = self.slot(pitch) {
            d.bank.note_on(id, None, velocity);
        } else if let Some(d) = self.drum(pitch) {
            d.bank.note_on(id, None, velocity);
        }
    }

    /// Drums and samples are one-shots: they play to their end whatever
    /// the note's length.
    fn note_off(&mut self, _id: u32) {}

    fn render(&mut self, out: &mut [f32]) {
        out.fill(0.0);
        let n = out.len().min(MAX_BLOCK);
        for d in &mut self.drums {
            if d.bank.active_voices() == 0 {
                continue;
            }
            let scratch = &mut self.scratch[..n];
            d.bank.render(scratch);
            for (o, s) in out.iter_mut().zip(scratch.iter()) {
                *o += d.level * s;
            }
        }
    }

    fn active_voices(&self) -> usize {
        self.drums.iter().map(|d| d.bank.active_voices()).sum()
    }

    fn reset(&mut self) {
        for d in &mut self.drums {
            d.bank.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;

    fn kit() -> KitVoices {
        KitVoices::new(&KitSpec::default(), RATE)
    }

    /// Peak of one hit of GM note `note` over 0.5 s.
    fn hit(note: Option<f32>) -> Vec<f32> {
        let mut k = kit();
        k.note_on(1, note, 0.8);
        render(&mut k, (0.5 * RATE) as usize, 64)
    }

    #[test]
    fn every_mapped_note_sounds_and_levels_are_balanced() {
        let notes = [
            35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 56,
        ];
        for n in notes {
            let p = peak(&hit(Some(n as f32)));
            // Within 12 dB of -6 dBFS, like the drum instruments.
            assert!((0.125..1.0).contains(&p), "note {n}: peak {p}");
        }
        assert!(peak(&hit(Some(60.0))) == 0.0);
        assert!(peak(&hit(Some(f32::NAN))) == 0.0);
        assert_eq!(hit(None), hit(Some(36.0)));
    }

    #[test]
    fn drums_differ_and_toms_rise_in_pitch() {
        let f = |n: f32| zero_cross_freq(&hit(Some(n))[(0.2 * RATE) as usize..], RATE);
        let (lt, mt, ht) = (f(41.0), f(45.0), f(50.0));
        assert!(lt < mt && mt < ht, "{lt} {mt} {ht}");
        assert!((ht / 175.0 - 1.0).abs() < 0.03, "{ht}");
        // The cowbell's tones are there, the kick's are not.
        let cb = hit(Some(56.0));
        let bd = hit(Some(36.0));
        let band =
            |x: &[f32]| goertzel(&x[..4800], 800.0, RATE) + goertzel(&x[..4800], 540.0, RATE);
        assert!(band(&cb) > 10.0 * band(&bd), "{} {}", band(&cb), band(&bd));
    }

    #[test]
    fn tune_shifts_and_decay_stretches() {
        let tom_at = |spec: &KitSpec| {
            let mut k = KitVoices::new(spec, RATE);
            k.note_on(1, Some(45.0), 0.8);
            render(&mut k, RATE as usize, 64)
        };
        let base = tom_at(&KitSpec::default());
        let up = tom_at(&KitSpec {
            tune: 12.0,
            ..KitSpec::default()
        });
        let fb = zero_cross_freq(&base[(0.2 * RATE) as usize..(0.3 * RATE) as usize], RATE);
        let fu = zero_cross_freq(&up[(0.2 * RATE) as usize..(0.3 * RATE) as usize], RATE);
        assert!((fu / fb - 2.0).abs() < 0.02, "{fb} {fu}");
        let long = tom_at(&KitSpec {
            decay: 2.0,
            ..KitSpec::default()
        });
        let tail = |x: &[f32]| peak(&x[(0.6 * RATE) as usize..]);
        assert!(
            tail(&long) > 10.0 * tail(&base),
            "{} {}",
            tail(&long),
            tail(&base)
        );
    }

    #[test]
    fn a_closed_hat_chokes_the_open_one() {
        let mut k = kit();
        k.note_on(1, Some(46.0), 0.8);
        let open = render(&mut k, 4800, 64);
        assert!(peak(&open[2400..]) > 0.01, "the open hat rings");
        k.note_on(2, Some(42.0), 0.8);
        let mut alone = kit();
        alone.note_on(2, Some(42.0), 0.8);
        let both = render(&mut k, 4800, 64);
        let closed = render(&mut alone, 4800, 64);
        // 10 ms on, only the closed hat is left: the open one is choked
        // (without the choke it would still ring at its 0.4 s decay).
        let rest: f32 = both[480..]
            .iter()
            .zip(&closed[480..])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(rest < 1e-3, "open hat left: {rest}");
        // And it faded rather than stopped: what the open hat adds after
        // the closed hit starts at its level before it and falls 60 dB in
        // 5 ms, about 12 dB a millisecond.
        let open_hat: Vec<f32> = both.iter().zip(&closed).map(|(a, b)| a - b).collect();
        let before = peak(&open[4800 - 240..]);
        let (first, later) = (peak(&open_hat[..24]), peak(&open_hat[120..240]));
        assert!(
            first > 0.3 * before,
            "cut off at once: {first} after {before}"
        );
        assert!(
            later > 1e-3 * before && later < 0.1 * before,
            "not a 5 ms fade: {later} (2.5..5 ms) after {before}"
        );
    }
}
