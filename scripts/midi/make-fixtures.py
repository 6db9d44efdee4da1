#!/usr/bin/env python3
"""Make the MIDI files chronus-midi's tests read, with an independent
library: mido 1.3.3 (`pip install --target DIR mido==1.3.3`, then
`PYTHONPATH=DIR python3 scripts/midi/make-fixtures.py`).

Each file's content is described here; the tests check chronus's reading of
it against these numbers.

- tempo-changes.mid (type 1, 480 ticks a quarter): a conductor track with
  120 BPM, 90 BPM at tick 1920 (bar 2), 150 BPM at tick 4800 (bar 3, beat
  3) and a 3/4 bar from tick 5760 (bar 4) on; a piano track (channel 1,
  program 0) with a quarter-note C4 on every beat of bars 1-4 (tick 0, 480,
  ... 6720), a held E4 from tick 1680 (last eighth of bar 1) to tick 2400
  (over the bar line), and a quintuplet G4 at tick 2016 (1920 + 96); a
  drum track (channel 10) with kick (36) on beats 1 and 3 and a closed hat
  (42, velocity 120: an accent) on every eighth of bar 1.
- running-status.mid (type 0, 96 ticks a quarter), written byte by byte:
  note-ons and note-offs (as note-on velocity 0) in running status, a SysEx
  in the middle and a sequencer-specific meta event; an end-of-track
  event ends it: A3 A3 C4 E4 eighths from tick 0, at 100 BPM.
"""

import struct

import mido


def tempo_changes(path):
    f = mido.MidiFile(type=1, ticks_per_beat=480)
    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("track_name", name="conductor", time=0))
    conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120), time=0))
    conductor.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90), time=1920))
    conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(150), time=4800 - 1920))
    conductor.append(mido.MetaMessage("time_signature", numerator=3, denominator=4, time=5760 - 4800))
    f.tracks.append(conductor)

    events = []  # (tick, message)
    for beat in range(15):  # bars 1-3 in 4/4 (12 beats), bar 4 in 3/4
        t = beat * 480
        events.append((t, mido.Message("note_on", channel=0, note=60, velocity=90)))
        events.append((t + 480, mido.Message("note_off", channel=0, note=60, velocity=0)))
    events.append((1680, mido.Message("note_on", channel=0, note=64, velocity=80)))
    events.append((2400, mido.Message("note_off", channel=0, note=64, velocity=0)))
    events.append((2016, mido.Message("note_on", channel=0, note=67, velocity=80)))
    events.append((2016 + 96, mido.Message("note_off", channel=0, note=67, velocity=0)))
    piano = mido.MidiTrack()
    piano.append(mido.MetaMessage("track_name", name="Piano", time=0))
    piano.append(mido.Message("program_change", channel=0, program=0, time=0))
    add_sorted(piano, events)
    f.tracks.append(piano)

    drums = []
    for t in (0, 960):
        drums.append((t, mido.Message("note_on", channel=9, note=36, velocity=100)))
        drums.append((t + 120, mido.Message("note_off", channel=9, note=36, velocity=0)))
    for k in range(8):
        t = k * 240
        drums.append((t, mido.Message("note_on", channel=9, note=42, velocity=120)))
        drums.append((t + 60, mido.Message("note_off", channel=9, note=42, velocity=0)))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name="Drums", time=0))
    add_sorted(track, drums)
    f.tracks.append(track)
    f.save(path)


def add_sorted(track, events):
    # Note-offs before note-ons on the same tick.
    events.sort(key=lambda e: (e[0], e[1].type == "note_on" and e[1].velocity > 0))
    last = 0
    for t, m in events:
        track.append(m.copy(time=t - last))
        last = t


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7F))
        n >>= 7
    return bytes(out)


def running_status(path):
    body = b""
    body += vlq(0) + b"\xff\x51\x03" + struct.pack(">I", mido.bpm2tempo(100))[1:]
    body += vlq(0) + b"\xff\x7f\x03\x00\x00\x41"  # sequencer-specific
    notes = [57, 57, 60, 64]
    body += vlq(0) + bytes([0x90, notes[0], 100])
    body += vlq(48) + bytes([notes[0], 0])  # running status: note-on velocity 0
    for n in notes[1:]:
        body += vlq(0) + bytes([n, 100])
        if n == 60:
            body += vlq(0) + b"\xf0\x05\x7e\x7f\x09\x01\xf7"  # SysEx clears running status
            body += vlq(48) + bytes([0x90, n, 0])
        else:
            body += vlq(48) + bytes([n, 0])
    body += vlq(0) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96)
    with open(path, "wb") as out:
        out.write(header + b"MTrk" + struct.pack(">I", len(body)) + body)


if __name__ == "__main__":
    import os

    here = os.path.join(os.path.dirname(__file__), "..", "..", "midi", "tests", "fixtures")
    tempo_changes(os.path.join(here, "tempo-changes.mid"))
    running_status(os.path.join(here, "running-status.mid"))
    # Read them back with mido: they parse.
    for name in ("tempo-changes.mid", "running-status.mid"):
        f = mido.MidiFile(os.path.join(here, name))
        print(name, f.type, f.ticks_per_beat, sum(len(t) for t in f.tracks), "messages")
