@timing
Feature: Sample-accurate timing
  As a producer layering drums, basslines and other tools
  I want every note to start on the exact frame its beat falls on
  So that grooves stay tight and renders line up sample for sample, however long the song

  @MUS-02
  Scenario Outline: MUS-02 Sample-accurate timing (±1 sample drift/minute)
    Given a song at <tempo> BPM with a kick playing "x x x x" for <bars> bars
    When it is rendered at <rate> Hz
    Then every beat has exactly one onset
    And every onset is on the frame of its beat, with 0 frames of error

    Examples:
      | tempo | bars | rate  |
      | 133   | 100  | 48000 |
      | 120   | 100  | 44100 |
      | 97.3  | 40   | 48000 |
      | 174   | 100  | 96000 |
      | 60    | 10   | 22050 |
      | 399.9 | 200  | 48000 |

  Scenario Outline: Onsets stay on their frames whatever the block size
    Given a song at 133 BPM with a kick playing "x x x x" for 8 bars
    When it is rendered at 48000 Hz in blocks of <block> frames
    Then every beat has exactly one onset
    And every onset is on the frame of its beat, with 0 frames of error

    Examples:
      | block |
      | 1     |
      | 63    |
      | 65    |
      | 1000  |

  Scenario Outline: Timing is exact at any sample rate
    Given a song at 128 BPM with a kick playing "x(3,8)" for 16 bars
    When it is rendered at <rate> Hz
    Then the onsets in every bar are at 0, 3/8, 3/4 of the bar

    Examples:
      | rate   |
      | 8000   |
      | 22050  |
      | 44100  |
      | 88200  |
      | 192000 |

  Scenario Outline: Swing delays only the odd sixteenths
    Given a song at 60 BPM with a kick playing "xxxxxxxxxxxxxxxx" for 2 bars
    And swing <swing>
    When it is rendered at 48000 Hz
    Then the even sixteenths are on the grid and the odd ones are <swing> of a sixteenth late

    Examples:
      | swing |
      | 0     |
      | 0.1   |
      | 0.25  |
      | 0.5   |

  Scenario Outline: The meter sets the length of a bar
    Given a song at <tempo> BPM in <meter>/4 with a kick playing "x x" for 4 bars
    When it is rendered at 48000 Hz
    Then the onsets in every bar are at 0, 1/2 of the bar
    And every bar lasts <meter> beats

    Examples:
      | tempo | meter |
      | 120   | 3     |
      | 90    | 5     |
      | 140   | 7     |
      | 60    | 1     |
