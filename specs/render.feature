@render
Feature: Offline rendering to WAV files
  As a producer who writes songs as text
  I want `chronus render` to turn a song file into a WAV file, the same every time
  So that I can listen to, share and compare exactly what I wrote

  Background:
    Given the demo song: a kick, a hi-hat with a delay, a saw bass with a chorus and an FM lead with a reverb, 2 bars at 128 BPM

  Scenario Outline: The WAV file has the requested rate and sample format
    When I run chronus render with "<options>"
    Then the command succeeds and prints one "ok" line
    And the WAV file is stereo at <rate> Hz with <bits>-bit <format> samples
    And the WAV file holds the 2 bars and a tail of at most 30 seconds
    And no partial file is left next to it

    Examples:
      | options              | rate  | bits | format  |
      |                      | 48000 | 24   | integer |
      | --rate 44100         | 44100 | 24   | integer |
      | --float              | 48000 | 32   | float   |
      | --rate 96000 --float | 96000 | 32   | float   |

  Scenario: Rendering the same song twice gives byte-identical files
    When I run chronus render twice to two files
    Then the two files are byte-identical

  Scenario: Float output is the engine's samples, bit for bit
    When it is rendered at 48000 Hz in blocks of 64 frames
    And I run chronus render with "--float"
    Then the WAV file's samples equal the library render exactly

  Scenario: 24-bit output is the engine's samples to within one step
    When it is rendered at 48000 Hz in blocks of 64 frames
    And I run chronus render with ""
    Then every 24-bit sample is within one step of the library render

  Scenario Outline: The block size does not change a single sample
    When the song is rendered in blocks of 64 frames and in blocks of <block> frames
    Then the two renders are sample-identical

    Examples:
      | block |
      | 7     |
      | 37    |
      | 100   |
      | 4096  |

  # Blocks under 8 frames take fundsp's scalar path through the chorus and
  # reverb, which rounds 1 ulp off its SIMD path (1.2e-7 on the chorus
  # alone); the bass's distortion, 6 dB of drive, doubles that: -119.9 dB.
  Scenario Outline: Even the tiniest blocks stay within -115 dB of the reference
    When the song is rendered in blocks of 64 frames and in blocks of <block> frames
    Then the two renders differ by less than -115 dB of their peak

    Examples:
      | block |
      | 1     |
      | 2     |
      | 3     |

  Scenario Outline: --bars renders only the first bars
    Given a song at 120 BPM with a kick playing "x" for 8 bars
    When I run chronus render with "--bars <bars>"
    Then the command succeeds and prints one "ok" line
    And the WAV file has <onsets> onsets, one at the start of each bar

    Examples:
      | bars | onsets |
      | 1    | 1      |
      | 3    | 3      |
      | 8    | 8      |
      | 20   | 8      |

  Scenario: Silence is digital zero before the first note and after the tail
    Given a song at 120 BPM with a saw synth playing "~ C3 ~ ~"
    When it is rendered at 48000 Hz
    Then the audio is digital zero from 0 to 0.5 seconds
    And there is sound between 0.5 and 0.625 seconds
    And the last 0.25 seconds are digital zero

  Scenario: Effect tails ring out after the last bar, then the file ends quietly
    Given a song at 120 BPM with a saw synth with a 2 second reverb playing "~ ~ ~ C3"
    When it is rendered at 48000 Hz
    Then there is sound after the end of the last bar
    And the render ends within 30 seconds of the last bar, after at least 0.5 seconds below -90 dBFS

  @MUS-03
  Scenario Outline: MUS-03 Dynamic range (>90dB SNR)
    Given a synth with a sine oscillator and no filter playing "<note>" at 60 BPM
    When it is rendered at <rate> Hz
    Then the noise floor after removing the best-fitting sine is below -120 dB

    Examples:
      | note | rate  |
      | A4   | 48000 |
      | C3   | 48000 |
      | E5   | 44100 |
      | C6   | 96000 |
