@patterns
Feature: The pattern language
  As a live coder typing rhythms and melodies as text
  I want the mini-notation to place every event exactly where it says
  So that what I type is exactly what I hear, bar after bar

  Scenario Outline: Hits land where the pattern puts them
    Given a song at 120 BPM with a kick playing "<pattern>" for <bars> bars
    When it is rendered at 48000 Hz
    Then the onsets are at <onsets> bars

    Examples: sequences, groups, modifiers and Euclidean rhythms
      | pattern          | bars | onsets                   |
      | x x x x          | 1    | 0, 1/4, 1/2, 3/4         |
      | x . x x          | 1    | 0, 1/2, 3/4              |
      | ~ x              | 1    | 1/2                      |
      | x..x..x.         | 1    | 0, 3/8, 3/4              |
      | [x x] x          | 1    | 0, 1/4, 1/2              |
      | x*3 ~            | 1    | 0, 1/6, 1/3              |
      | x(3,8)           | 1    | 0, 3/8, 3/4              |
      | x(5,8)           | 1    | 0, 1/4, 3/8, 5/8, 3/4    |
      | x(3,8,2)         | 1    | 1/8, 1/2, 3/4            |
      | x@3 x            | 1    | 0, 3/4                   |
      | x _ _ x          | 1    | 0, 3/4                   |
      | x!3 ~            | 1    | 0, 1/4, 1/2              |
      | [x x, x x x]     | 1    | 0, 1/3, 1/2, 2/3         |
      | <x ~> x          | 2    | 0, 1/2, 3/2              |
      | x/2              | 4    | 0, 2                     |
      | x*1.5            | 2    | 0, 2/3, 4/3              |

  Scenario: The arrangement plays its patterns in order, with repeats
    Given a song at 120 BPM with a kick playing "x" as pattern "one"
    And the kick playing "x x" as pattern "two"
    And the arrangement "one, two x2, one"
    When it is rendered at 48000 Hz
    Then the onsets are at 0, 1, 3/2, 2, 5/2, 3 bars

  Scenario Outline: Accents are louder than plain hits
    Given a song at 120 BPM with a kick playing "<pattern>" for 1 bars
    When it is rendered at 48000 Hz
    Then hits <loud> are at least 1 dB louder than hits <soft>

    Examples:
      | pattern | loud | soft |
      | x X x X | 2, 4 | 1, 3 |
      | X x x x | 1    | 2, 3 |

  Scenario: Random drops are reproducible with the seed
    Given a song at 120 BPM with a kick playing "x*8?" for 8 bars
    And seed 1
    When it is rendered at 48000 Hz
    Then between 16 and 48 of the 64 hits sound
    And rendering again with seed 1 gives the same onsets
    And rendering with seed 2 instead gives different onsets

  Scenario Outline: Rests and silent patterns are digital silence
    Given a song at 120 BPM with a kick playing "<pattern>" for 2 bars
    When it is rendered at 48000 Hz
    Then the render is digital zero throughout

    Examples:
      | pattern  |
      | ~ ~ ~ ~  |
      | ....     |
      | x(0,8)   |
      |          |
