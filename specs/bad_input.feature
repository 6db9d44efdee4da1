@bad_input
Feature: Bad input is reported in one line, never with a crash
  As a live coder who makes typos under pressure
  I want every mistake in a song file or on the command line reported in one line saying where it is and what was expected
  So that I can fix it in seconds, and a mistake never costs me a render or shows me a panic

  Scenario Outline: A mistake in a song file is one located error line
    Given the bad song file "<file>"
    When I run chronus check on it
    Then the exit status is 2
    And stderr is one line starting with "error: " that names the song file
    And the error is at line <line>, column <column>
    And the error says "<message>"
    And nothing panicked

    Examples:
      | file                                | line | column | message                                             |
      | bad_indent.yaml                     | 4    | 4      | did not find expected key                           |
      | unclosed_quote.yaml                 | 6    | 1      | found unexpected end of stream                      |
      | unknown_top_key.yaml                | 2    | 1      | unknown field `tempoo`, expected one of             |
      | missing_tempo.yaml                  | 1    | 1      | missing field `tempo`                               |
      | wrong_type.yaml                     | 1    | 8      | expected a number but found the text "fast"         |
      | unknown_instrument_type.yaml        | 4    | 11     | unknown instrument type `kik`, expected one of synth |
      | unknown_instrument_key.yaml         | 5    | 5      | unknown field `cutof`, expected one of `cutoff`     |
      | unknown_effect_type.yaml            | 6    | 15     | unknown effect type `reverbb`, expected one of reverb |
      | unknown_effect_key.yaml             | 7    | 9      | unknown field `sise`, expected one of               |
      | bad_note_param.yaml                 | 5    | 11     | bad note name `H2`: expected a MIDI number          |
      | bad_note.yaml                       | 6    | 15     | 'H2' is not a note: expected a note name         |
      | unparsable_pattern.yaml             | 6    | 14     | unclosed '['                                        |
      | unknown_instrument_in_pattern.yaml  | 7    | 11     | unknown instrument `kik` (did you mean `kick`?)     |
      | unknown_pattern_in_arrangement.yaml | 9    | 5      | unknown pattern `vers` (did you mean `verse`?)      |
      | repeat_zero.yaml                    | 7    | 5      | expected 1..100000                                  |

  Scenario Outline: A bad pattern is located inside its string
    Given a song at 120 BPM with a kick playing "<pattern>"
    When I run chronus check on it
    Then the exit status is 2
    And stderr is one line starting with "error: " that names the song file
    And the error is at line 6, column <column>
    And the error says "<message>"
    And nothing panicked

    Examples:
      | pattern   | column | message                          |
      | x [x x    | 14     | unclosed '['                     |
      | x x H2    | 16     | 'H2' is not a note               |
      | x*0       | 13     | would never play                 |
      | x/0       | 13     | would never play                 |
      | x@0       | 13     | would take no time               |
      | x(5,3)    | 13     | euclid needs (k,n)               |
      | x C12     | 15     | octave 12 is out of range -1..9  |
      | 200       | 12     | note number 200 is out of range  |
      | x x]      | 15     | unexpected ']': nothing to close |
      | x!1025    | 13     | 1024                             |
      | x*2000    | 13     | 1024                             |
      | x*1024!65 | 12     | events per cycle                 |

  Scenario Outline: Odd but valid patterns render without complaint
    Given a song at 120 BPM with a kick playing "<pattern>"
    When I run chronus render with ""
    Then the command succeeds and prints one "ok" line
    And nothing panicked

    Examples:
      | pattern             |
      | x(3,8,-1)           |
      | [[[[[[[[x]]]]]]]]   |
      | x?0 x?1             |
      | <x <x ~> [x x]>     |
      | x*1024              |
      | ~                   |

  Scenario: An out-of-range value is clamped, with a warning naming the key
    Given the bad song file "out_of_range.yaml"
    When I run chronus check on it
    Then the exit status is 0
    And stderr is one warning naming "instruments.bass.cutoff"
    And nothing panicked
    And the song renders exactly like the same song with "cutoff: 20000" instead of "cutoff: 99999"

  Scenario Outline: Rendering a bad song fails the same way and never touches the output
    Given the bad song file "<file>"
    And an existing out.wav next to it
    When I run chronus render on it to out.wav
    Then the exit status is 2
    And stderr is one line starting with "error: " that names the song file
    And the error is at line <line>, column <column>
    And out.wav is unchanged
    And no other file was created
    And nothing panicked

    Examples:
      | file                         | line | column |
      | bad_note.yaml                | 6    | 15     |
      | unknown_instrument_type.yaml | 4    | 11     |
      | bad_indent.yaml              | 4    | 4      |

  Scenario Outline: Bad command-line options are refused with exit status 2
    Given a song at 120 BPM with a kick playing "x x x x"
    When I run chronus render with "<options>"
    Then the exit status is 2
    And stderr starts with "error: " and mentions "<mention>"
    And no WAV file was written
    And nothing panicked

    Examples:
      | options      | mention       |
      | --rate abc   | --rate abc    |
      | --rate 1000  | 8000..=384000 |
      | --bars many  | --bars        |
      | --frobnicate | --frobnicate  |

  Scenario: An output folder that does not exist fails cleanly, leaving nothing behind
    Given a song at 120 BPM with a kick playing "x x x x"
    When I run chronus render to "missing/dir/x.wav"
    Then the exit status is 2
    And stderr is one line starting with "error: " that names "missing/dir/x.wav"
    And the error says "cannot create"
    And no other file was created
    And nothing panicked

  Scenario: A song file that does not exist
    When I run chronus check on a song file that does not exist
    Then the exit status is 2
    And stderr is one line starting with "error: " that names the song file
    And the error says "cannot read song"
    And nothing panicked
