//! The control thread's copy of the engine's track table: which slots are
//! free, which hold a track, and which are on their way back (a removed
//! track fades out on the audio thread and is returned before its slot can
//! hold another).

use crate::engine::MAX_TRACKS;
use chronus_sequencer::TrackId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Free,
    Used,
    Returning,
}

/// Slots and their generations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slots {
    generation: Vec<u16>,
    state: Vec<State>,
}

impl Default for Slots {
    fn default() -> Self {
        Slots {
            generation: vec![0; MAX_TRACKS],
            state: vec![State::Free; MAX_TRACKS],
        }
    }
}

impl Slots {
    /// A new id in the lowest free slot (its generation one more than the
    /// last), or `None` when all [`MAX_TRACKS`] are taken.
    pub fn allocate(&mut self) -> Option<TrackId> {
        let slot = self.state.iter().position(|s| *s == State::Free)?;
        let generation = self.generation[slot].wrapping_add(1).max(1);
        self.generation[slot] = generation;
        self.state[slot] = State::Used;
        Some(TrackId::new(slot as u16, generation))
    }

    /// `id` is being removed: its slot is not free until it comes back.
    pub fn release(&mut self, id: TrackId) {
        if let Some(s) = self.state.get_mut(usize::from(id.slot)) {
            *s = State::Returning;
        }
    }

    /// The audio thread returned the track `id`: its slot is free.
    pub fn returned(&mut self, id: TrackId) {
        let slot = usize::from(id.slot);
        if self.generation.get(slot) == Some(&id.generation) && self.state[slot] != State::Used {
            self.state[slot] = State::Free;
        }
    }

    /// Tracks in use.
    pub fn used(&self) -> usize {
        self.state.iter().filter(|s| **s == State::Used).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_reused_only_after_it_came_back_and_with_a_new_generation() {
        let mut s = Slots::default();
        let a = s.allocate().unwrap();
        let b = s.allocate().unwrap();
        assert_eq!((a.slot, b.slot), (0, 1));
        s.release(a);
        let c = s.allocate().unwrap();
        assert_eq!(c.slot, 2, "slot 0 is still fading out");
        s.returned(a);
        let d = s.allocate().unwrap();
        assert_eq!(d.slot, 0);
        assert_ne!(d.generation, a.generation);
        assert_ne!(d, a);
    }

    #[test]
    fn at_least_64_tracks() {
        let mut s = Slots::default();
        for _ in 0..MAX_TRACKS {
            assert!(s.allocate().is_some());
        }
        const { assert!(MAX_TRACKS >= 64) };
        assert!(s.allocate().is_none());
    }
}
