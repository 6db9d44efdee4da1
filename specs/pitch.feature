@pitch
Feature: Pitch accuracy
  As a musician playing Chronus alongside other instruments
  I want every note to sound at its equal-tempered frequency, with A4 at 440 Hz
  So that chords, basslines and leads are in tune with each other and with everything else

  @MUS-01
  Scenario Outline: MUS-01 VCO frequency accuracy (±1 cent tolerance)
    Given a synth with a <waveform> oscillator and no filter playing "<note>" at 60 BPM
    When it is rendered at <rate> Hz
    Then the pitch measured from zero crossings is within 0.1 cent of MIDI note <midi>

    Examples: every waveform across the octaves
      | waveform | note | midi | rate  |
      | sine     | E1   | 28   | 48000 |
      | sine     | C2   | 36   | 48000 |
      | sine     | A4   | 69   | 48000 |
      | sine     | F#5  | 78   | 48000 |
      | sine     | C7   | 96   | 48000 |
      | sine     | A4   | 69   | 44100 |
      | sine     | Bb3  | 58   | 96000 |
      | saw      | A1   | 33   | 48000 |
      | saw      | C3   | 48   | 48000 |
      | saw      | A4   | 69   | 44100 |
      | saw      | E6   | 88   | 48000 |
      | square   | C2   | 36   | 48000 |
      | square   | G4   | 67   | 48000 |
      | square   | D6   | 86   | 96000 |
      | triangle | E2   | 40   | 48000 |
      | triangle | A4   | 69   | 48000 |
      | triangle | C7   | 96   | 44100 |

  Scenario Outline: Detune moves the pitch by exactly that many cents
    Given a synth with a sine oscillator and no filter playing "A4" at 60 BPM
    And the synth is detuned by <cents> cents
    When it is rendered at 48000 Hz
    Then the pitch measured from zero crossings is within 0.1 cent of MIDI note <midi>

    Examples:
      | cents | midi  |
      | 100   | 70    |
      | -1200 | 57    |
      | 50    | 69.5  |
      | -7    | 68.93 |
      | 1200  | 81    |

  Scenario Outline: A hit plays the instrument's own note
    Given a synth with a sine oscillator and no filter playing "x" at 60 BPM
    And the synth's note is <note>
    When it is rendered at 48000 Hz
    Then the pitch measured from zero crossings is within 0.1 cent of MIDI note <midi>

    Examples:
      | note | midi |
      | C3   | 48   |
      | 60   | 60   |
      | Eb2  | 39   |
      | F#4  | 66   |

  Scenario Outline: Note names, numbers and accidentals in patterns
    Given a synth with a sine oscillator and no filter playing "<pattern>" at 60 BPM
    When it is rendered at 48000 Hz
    Then the steps play MIDI notes <notes>, each within 0.1 cent

    Examples:
      | pattern       | notes          |
      | A3 E4         | 57, 64         |
      | C2 Eb2 G2 Bb2 | 36, 39, 43, 46 |
      | F#3 Gb3 Fs3   | 54, 54, 54     |
      | B#3 Cb4       | 60, 59         |
      | 60 62.5       | 60, 62.5       |
      | c4 a4         | 60, 69         |

  Scenario Outline: Chords sound every note
    Given a synth with a sine oscillator and no filter playing "<chord>" at 60 BPM
    When it is rendered at 48000 Hz
    Then the spectrum's peaks are MIDI notes <notes>, each within 1 cent

    Examples:
      | chord        | notes      |
      | [C4,E4,G4]   | 60, 64, 67 |
      | [A2,A3,E4]   | 45, 57, 64 |
      | C4, G4       | 60, 67     |
      | [Eb3,Gb3,C5] | 51, 54, 72 |

  Scenario Outline: Oscillators are band-limited
    Given a synth with a <waveform> oscillator and no filter playing "<note>" at 60 BPM
    When it is rendered at <rate> Hz
    Then no alias component is above -80 dB relative to the fundamental
    And harmonic <k> is within 0.5 dB of <level> dB

    Examples:
      | waveform | note | rate  | k | level  |
      | saw      | A5   | 48000 | 5 | -13.98 |
      | saw      | A6   | 48000 | 5 | -13.98 |
      | saw      | A6   | 44100 | 3 | -9.54  |
      | square   | A6   | 48000 | 3 | -9.54  |
      | triangle | A6   | 48000 | 3 | -19.08 |

  @MUS-04
  Scenario Outline: MUS-04 Phase coherence in multi-oscillator patches
    Given the instrument <instrument> playing "A3 ~ C4 ~" at 120 BPM
    And the same instrument playing "[A3,A3] ~ [C4,C4] ~" in a second song
    When both songs are rendered at 48000 Hz
    Then the second render is exactly twice the first, sample for sample

    Examples:
      | instrument                                                                                |
      | { type: synth, osc: saw, cutoff: 1200, resonance: 0.5, gain: -12, release: 0.01 }        |
      | { type: synth, osc: square, filter: bandpass, cutoff: 800, gain: -12, release: 0.01 }    |
      | { type: synth, osc: triangle, filter: none, filter_env: 2, gain: -12, release: 0.01 }    |
      | { type: synth, osc: saw, detune: 7, filter: highpass, cutoff: 300, gain: -12 }           |
      | { type: fm, ratio: 3, index: 4, feedback: 0.3, gain: -12, release: 0.01 }                |
