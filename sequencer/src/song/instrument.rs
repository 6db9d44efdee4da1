//! Instrument specifications (`instruments:` in songs).

use super::params::{instrument_spec, spec};
use super::Warning;
use serde::{Deserialize, Serialize};

/// One instrument, selected by `type:`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum InstrumentSpec {
    /// Subtractive synth: band-limited oscillator, filter, ADSR.
    Synth(SynthSpec),
    /// Two-operator FM synth.
    Fm(FmSpec),
    /// Kick drum: sine with a pitch sweep.
    Kick(KickSpec),
    /// Snare drum: tone plus filtered noise.
    Snare(SnareSpec),
    /// Hi-hat: metallic or noise source through a high-pass.
    Hihat(HihatSpec),
    /// Hand clap: bursts of band-passed noise.
    Clap(ClapSpec),
    /// Tom: sine with a short pitch drop.
    Tom(TomSpec),
    /// Sampler: plays one WAV file from notes.
    Sampler(SamplerSpec),
    /// Drum kit: plays sound names (`bd`, `sn`, `hh`, ...) and General MIDI
    /// drum notes with Chronus's own drum voices.
    Kit(KitSpec),
}

/// Runs `$body` with `$s` bound to the spec inside any variant.
macro_rules! each_variant {
    ($self:expr, $s:ident => $body:expr) => {
        match $self {
            InstrumentSpec::Synth($s) => $body,
            InstrumentSpec::Fm($s) => $body,
            InstrumentSpec::Kick($s) => $body,
            InstrumentSpec::Snare($s) => $body,
            InstrumentSpec::Hihat($s) => $body,
            InstrumentSpec::Clap($s) => $body,
            InstrumentSpec::Tom($s) => $body,
            InstrumentSpec::Kit($s) => $body,
            InstrumentSpec::Sampler($s) => $body,
        }
    };
}

impl InstrumentSpec {
    /// The type name as written in songs.
    pub fn kind(&self) -> &'static str {
        match self {
            InstrumentSpec::Synth(_) => "synth",
            InstrumentSpec::Fm(_) => "fm",
            InstrumentSpec::Kick(_) => "kick",
            InstrumentSpec::Snare(_) => "snare",
            InstrumentSpec::Hihat(_) => "hihat",
            InstrumentSpec::Clap(_) => "clap",
            InstrumentSpec::Tom(_) => "tom",
            InstrumentSpec::Kit(_) => "kit",
            InstrumentSpec::Sampler(_) => "sampler",
        }
    }

    /// Whether the instrument plays notes (its patterns' numbers and note
    /// names are pitches), rather than a fixed drum sound.
    pub fn is_pitched(&self) -> bool {
        matches!(
            self,
            InstrumentSpec::Synth(_) | InstrumentSpec::Fm(_) | InstrumentSpec::Sampler(_)
        )
    }

    /// Whether changing numeric parameter `name` rebuilds the instrument
    /// (its voices are sized or built from it) rather than reaching the
    /// sounding voices: `polyphony`, and a kit's `tune` and `decay`.
    pub fn rebuilds(&self, name: &str) -> bool {
        name == "polyphony"
            || (matches!(self, InstrumentSpec::Kit(_)) && matches!(name, "tune" | "decay"))
    }

    /// Every type name, in the order of the enum.
    pub const KINDS: [&'static str; 9] = [
        "synth", "fm", "kick", "snare", "hihat", "clap", "tom", "kit", "sampler",
    ];

    /// The default instrument of type `kind` (`None` for an unknown type).
    pub fn default_of(kind: &str) -> Option<InstrumentSpec> {
        Some(match kind {
            "synth" => InstrumentSpec::Synth(SynthSpec::default()),
            "fm" => InstrumentSpec::Fm(FmSpec::default()),
            "kick" => InstrumentSpec::Kick(KickSpec::default()),
            "snare" => InstrumentSpec::Snare(SnareSpec::default()),
            "hihat" => InstrumentSpec::Hihat(HihatSpec::default()),
            "clap" => InstrumentSpec::Clap(ClapSpec::default()),
            "tom" => InstrumentSpec::Tom(TomSpec::default()),
            "kit" => InstrumentSpec::Kit(KitSpec::default()),
            "sampler" => InstrumentSpec::Sampler(SamplerSpec::default()),
            _ => return None,
        })
    }

    /// The numeric parameters as `(name, default, min, max)`, the mixer's
    /// `gain`, `pan` and `polyphony` last.
    pub fn params(&self) -> &'static [(&'static str, f64, f64, f64)] {
        match self {
            InstrumentSpec::Synth(_) => SynthSpec::PARAMS,
            InstrumentSpec::Fm(_) => FmSpec::PARAMS,
            InstrumentSpec::Kick(_) => KickSpec::PARAMS,
            InstrumentSpec::Snare(_) => SnareSpec::PARAMS,
            InstrumentSpec::Hihat(_) => HihatSpec::PARAMS,
            InstrumentSpec::Clap(_) => ClapSpec::PARAMS,
            InstrumentSpec::Tom(_) => TomSpec::PARAMS,
            InstrumentSpec::Kit(_) => KitSpec::PARAMS,
            InstrumentSpec::Sampler(_) => SamplerSpec::PARAMS,
        }
    }

    /// The settings that are choices, as `(key, choices, default)`.
    pub fn choices(&self) -> &'static [(&'static str, &'static [&'static str], &'static str)] {
        match self {
            InstrumentSpec::Synth(_) => &[
                (
                    "osc",
                    &["sine", "saw", "square", "triangle", "noise"],
                    "saw",
                ),
                (
                    "filter",
                    &["lowpass", "highpass", "bandpass", "none"],
                    "lowpass",
                ),
            ],
            InstrumentSpec::Hihat(_) => &[("noise", &["metallic", "white", "pink"], "metallic")],
            _ => &[],
        }
    }

    /// The insert effects, to edit.
    pub fn effects_mut(&mut self) -> &mut Vec<super::EffectSpec> {
        each_variant!(self, s => &mut s.effects)
    }

    /// Output level in dB.
    pub fn gain_db(&self) -> f64 {
        each_variant!(self, s => s.gain)
    }

    /// Stereo position -1..1.
    pub fn pan(&self) -> f64 {
        each_variant!(self, s => s.pan)
    }

    /// Number of voices (1..=256).
    pub fn polyphony(&self) -> usize {
        each_variant!(self, s => if s.polyphony.is_nan() {
            1
        } else {
            s.polyphony.round().clamp(1.0, 256.0) as usize
        })
    }

    /// The scale as written (`C:minor`), if any.
    pub fn scale(&self) -> Option<&str> {
        each_variant!(self, s => s.scale.as_deref())
    }

    /// How the instrument's patterns read values: numbers through its
    /// scale or as MIDI notes (no scale, or `none`); a kit's names through
    /// its sample folder, if it has one (read here).
    ///
    /// # Errors
    /// The scale does not parse, or the sample folder cannot be read.
    pub fn pitches(&self) -> Result<crate::pitch::Pitches, crate::pitch::ScaleError> {
        let scale = match self.scale() {
            None | Some("none") => None,
            Some(text) => Some(crate::pitch::Scale::parse(text)?),
        };
        let samples = match self {
            InstrumentSpec::Kit(KitSpec {
                samples: Some(dir), ..
            }) => Some(std::sync::Arc::new(
                super::kit_samples::scan(std::path::Path::new(dir))
                    .map_err(crate::pitch::ScaleError)?,
            )),
            _ => None,
        };
        Ok(crate::pitch::Pitches {
            scale,
            kit: matches!(self, InstrumentSpec::Kit(_)),
            samples,
        })
    }

    /// Insert effects in order.
    pub fn effects(&self) -> &[super::EffectSpec] {
        each_variant!(self, s => &s.effects)
    }

    /// Clamp every parameter (and every effect's) into range, with a warning
    /// per change naming `path.key`.
    pub fn clamp(&mut self, path: &str, warnings: &mut Vec<Warning>) {
        each_variant!(self, s => {
            s.clamp(path, warnings);
            for (i, fx) in s.effects.iter_mut().enumerate() {
                let kind = fx.kind();
                fx.clamp(&format!("{path}.effects[{i}].{kind}"), warnings);
            }
        })
    }
}

/// Oscillator waveform of a `synth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Waveform {
    /// Sine.
    Sine,
    /// Band-limited sawtooth.
    Saw,
    /// Band-limited square.
    Square,
    /// Band-limited triangle.
    Triangle,
    /// White noise.
    Noise,
}

/// Filter response of a `synth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterMode {
    /// 24 dB/octave resonant ladder low-pass.
    Lowpass,
    /// 12 dB/octave state-variable high-pass.
    Highpass,
    /// 12 dB/octave state-variable band-pass.
    Bandpass,
    /// No filter.
    None,
}

/// Noise source of a `hihat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HatSource {
    /// Six detuned square waves (808 style).
    Metallic,
    /// White noise.
    White,
    /// Pink noise.
    Pink,
}

instrument_spec! {
    /// `synth`: oscillator -> filter -> amplifier with an ADSR.
    SynthSpec {
        /// Filter cutoff in Hz.
        cutoff = 2000.0, 20.0 => 20000.0;
        /// Filter resonance 0..1 (the ladder self-oscillates near 1).
        resonance = 0.2, 0.0 => 1.0;
        /// Filter envelope depth in octaves (follows the ADSR).
        filter_env = 0.0, -8.0 => 8.0;
        /// Attack time in seconds.
        attack = 0.005, 0.0 => 10.0;
        /// Decay time in seconds.
        decay = 0.2, 0.0 => 10.0;
        /// Sustain level 0..1.
        sustain = 0.7, 0.0 => 1.0;
        /// Release time in seconds.
        release = 0.2, 0.0 => 20.0;
        /// MIDI note that `x` plays: a number or a name (`C3` = 48).
        #[serde(deserialize_with = "super::note_value::deserialize")]
        note = 48.0, 0.0 => 127.0;
        /// Detune in cents.
        detune = 0.0, -1200.0 => 1200.0;
    } + {
        /// Oscillator waveform.
        osc: Waveform = Waveform::Saw;
        /// Filter response.
        filter: FilterMode = FilterMode::Lowpass;
    }
}

instrument_spec! {
    /// `fm`: a sine carrier phase-modulated by a sine at `ratio` times its frequency.
    FmSpec {
        /// Modulator frequency as a multiple of the carrier's.
        ratio = 2.0, 0.0625 => 32.0;
        /// Modulation index (peak phase deviation in radians).
        index = 2.0, 0.0 => 50.0;
        /// How much the index follows the envelope, 0 constant .. 1 fully.
        index_env = 0.5, 0.0 => 1.0;
        /// Modulator self-feedback 0..1.
        feedback = 0.0, 0.0 => 1.0;
        /// Attack time in seconds.
        attack = 0.005, 0.0 => 10.0;
        /// Decay time in seconds.
        decay = 0.3, 0.0 => 10.0;
        /// Sustain level 0..1.
        sustain = 0.5, 0.0 => 1.0;
        /// Release time in seconds.
        release = 0.3, 0.0 => 20.0;
        /// MIDI note that `x` plays: a number or a name (`C4` = 60).
        #[serde(deserialize_with = "super::note_value::deserialize")]
        note = 60.0, 0.0 => 127.0;
        /// Detune in cents.
        detune = 0.0, -1200.0 => 1200.0;
    } + {}
}

instrument_spec! {
    /// `kick`: a sine swept down from `freq * 2^(pitch/12)` to `freq`.
    KickSpec {
        /// Resting frequency in Hz (notes retune it).
        freq = 50.0, 20.0 => 400.0;
        /// Amplitude decay time in seconds.
        decay = 0.4, 0.01 => 4.0;
        /// Start of the pitch sweep, in semitones above `freq`.
        pitch = 36.0, 0.0 => 72.0;
        /// Pitch sweep time in seconds.
        pitch_decay = 0.04, 0.001 => 1.0;
        /// Level of the attack click 0..1.
        click = 0.3, 0.0 => 1.0;
        /// Saturation 0..1.
        drive = 0.0, 0.0 => 1.0;
    } + {}
}

instrument_spec! {
    /// `snare`: a tuned body plus band-passed noise.
    SnareSpec {
        /// Body frequency in Hz (notes retune it).
        freq = 180.0, 60.0 => 1000.0;
        /// Decay time in seconds.
        decay = 0.2, 0.01 => 2.0;
        /// Balance of body against noise, 0 all noise .. 1 all body.
        tone = 0.4, 0.0 => 1.0;
        /// Centre of the noise band in Hz.
        cutoff = 3000.0, 200.0 => 16000.0;
    } + {}
}

instrument_spec! {
    /// `hihat`: a metallic or noise source through a high-pass.
    HihatSpec {
        /// Decay time in seconds (short closed, long open).
        decay = 0.05, 0.005 => 4.0;
        /// High-pass cutoff in Hz (notes shift it, C4 = unchanged).
        freq = 8000.0, 1000.0 => 18000.0;
    } + {
        /// Source: `metallic`, `white` or `pink`.
        noise: HatSource = HatSource::Metallic;
    }
}

instrument_spec! {
    /// `clap`: several quick bursts of band-passed noise, then a tail.
    ClapSpec {
        /// Tail decay time in seconds.
        decay = 0.2, 0.01 => 2.0;
        /// Centre of the noise band in Hz (notes shift it, C4 = unchanged).
        freq = 1200.0, 300.0 => 8000.0;
        /// Time between the bursts in seconds.
        spread = 0.01, 0.001 => 0.05;
    } + {}
}

instrument_spec! {
    /// `tom`: a sine with a short pitch drop.
    TomSpec {
        /// Resting frequency in Hz (notes retune it).
        freq = 110.0, 30.0 => 800.0;
        /// Decay time in seconds.
        decay = 0.3, 0.01 => 3.0;
        /// Start of the pitch drop, in semitones above `freq`.
        pitch = 7.0, 0.0 => 36.0;
        /// Pitch drop time in seconds.
        pitch_decay = 0.08, 0.001 => 1.0;
    } + {}
}

instrument_spec! {
    /// `kit`: a drum kit of Chronus's own drum voices, played by sound
    /// name (`bd sn hh oh cp lt mt ht rim cb`, see
    /// [`crate::pitch::kit`]) or by General MIDI drum note.
    KitSpec {
        /// Tuning of every drum, in semitones.
        tune = 0.0, -24.0 => 24.0;
        /// Length of every drum's decay, as a factor.
        decay = 1.0, 0.1 => 4.0;
    } + {
        /// A folder of samples in Dirt-Samples layout (a sub-folder per
        /// sound name) adding or replacing sounds, relative to the song.
        #[serde(skip_serializing_if = "Option::is_none")]
        samples: Option<String> = None;
    }
}

instrument_spec! {
    /// `sampler`: one WAV file played from notes, one-shot or looped, read
    /// and resampled to the engine's rate (band-limited, with rubato) when
    /// the instrument is built, before it plays.
    SamplerSpec {
        /// Where playback starts, as a fraction of the file.
        begin = 0.0, 0.0 => 1.0;
        /// Where it ends (or loops back from), as a fraction of the file.
        end = 1.0, 0.0 => 1.0;
        /// Playback speed; negative plays backwards from `end`.
        speed = 1.0, -8.0 => 8.0;
        /// The note at which the file plays unchanged (a note a semitone up
        /// plays 2^(1/12) as fast).
        #[serde(deserialize_with = "super::note_value::deserialize")]
        root = 60.0, 0.0 => 127.0;
        /// Cut group: a new note cuts off the sounding notes of the same
        /// group (0: none), as Tidal's `cut`.
        cut = 0.0, 0.0 => 16.0;
        /// Envelope attack in seconds.
        attack = 0.001, 0.0 => 10.0;
        /// Envelope decay in seconds.
        decay = 0.1, 0.0 => 10.0;
        /// Envelope sustain level.
        sustain = 1.0, 0.0 => 1.0;
        /// Envelope release in seconds.
        release = 0.05, 0.0 => 20.0;
    } + {
        /// The WAV file (a path relative to the song file).
        file: String = String::new();
        /// Loop between `begin` and `end` while the note is held.
        #[serde(rename = "loop")]
        looping: bool = false;
    }
}
