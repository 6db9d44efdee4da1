//! Sends and returns: `send bass reverb 0.3` feeds the track into the
//! shared return bus of that effect type (one bus per type, fully wet,
//! shared by every track that sends to it). The returns live in the rack,
//! so a send's level glides and a return's effect keeps ringing across
//! edits.

use super::{Draft, Planned};
use chronus_command::Word;
use chronus_sequencer::song::modulation::Send;

/// `send TRACK EFFECT AMOUNT`: set (or, at 0, silence) a send. A send at 0
/// is kept, so that its return rings out rather than stops.
pub(super) fn send(
    d: &mut Draft,
    track: &Word,
    effect: &Word,
    amount: f64,
) -> Result<Planned, String> {
    if !d.model.tracks.contains_key(&track.text) {
        let names: Vec<&str> = d.model.tracks.keys().map(String::as_str).collect();
        return Err(format!(
            "no instrument called '{}'{}",
            track.text,
            chronus_sequencer::song::suggest::did_you_mean(&track.text, &names)
        ));
    }
    match d
        .model
        .sends
        .iter_mut()
        .find(|s| s.track == track.text && s.effect == effect.text)
    {
        Some(s) => s.amount = amount,
        None => d.model.sends.push(Send {
            track: track.text.clone(),
            effect: effect.text.clone(),
            amount,
        }),
    }
    Ok(Planned {
        summary: format!("send {} {} {amount}", track.text, effect.text),
        ..Planned::default()
    })
}

/// The sends, for `list patches`.
pub(super) fn describe(d: &Draft) -> String {
    if d.model.sends.is_empty() {
        return "sends: none (send bass reverb 0.3)".into();
    }
    let s: Vec<String> = d
        .model
        .sends
        .iter()
        .map(|s| format!("{} > {} return {}", s.track, s.effect, s.amount))
        .collect();
    format!("sends: {}", s.join(", "))
}
