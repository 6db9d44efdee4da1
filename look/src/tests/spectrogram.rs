use super::*;
use crate::spectrogram::{draw, freq_axis};
use crate::{Audio, Frame};
use plotters::prelude::Ranged;

/// The pixel row with the most light, taken as the median over a few
/// columns across the plot.
fn brightest_row(pic: &Picture, layout: &crate::spectrogram::Layout) -> i32 {
    let (x, y) = (&layout.plot.x, &layout.plot.y);
    let w = x.end - x.start;
    let mut rows: Vec<i32> = (1..8)
        .map(|k| {
            let col = x.start + w * k / 8 + 3;
            (y.start..y.end)
                .max_by_key(|&r| pic.pixel(col, r).iter().map(|&c| c as u32).sum::<u32>())
                .unwrap()
        })
        .collect();
    rows.sort();
    rows[rows.len() / 2]
}

fn axis_row(layout: &crate::spectrogram::Layout, hz: f64) -> i32 {
    let y = &layout.plot.y;
    freq_axis(layout.nyquist).map(&hz, (y.end - 1, y.start))
}

#[test]
fn sine_of_1khz_is_brightest_where_the_axis_says_1khz() {
    let tone = sine(1000.0, 0.5, 2.0);
    let audio = Audio::mono(RATE, 0, &tone);
    let frame = Frame::new("1 kHz sine").with_bars(bars(0, 1), 1);
    let (png, layout) = draw(&audio, &frame).unwrap();
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
    let row = brightest_row(&pic, &layout);
    let expected = axis_row(&layout, 1000.0);
    assert!(
        (row - expected).abs() <= 2,
        "brightest row {row}, the axis puts 1 kHz at {expected}"
    );

    let low = sine(100.0, 0.5, 2.0);
    let (png, layout) = draw(&Audio::mono(RATE, 0, &low), &frame).unwrap();
    let low_row = brightest_row(&decode(&png), &layout);
    assert!(
        low_row > row + 50,
        "100 Hz at row {low_row} should be well below 1 kHz at {row}"
    );
    let expected = axis_row(&layout, 100.0);
    assert!(
        (low_row - expected).abs() <= 2,
        "brightest row {low_row}, the axis puts 100 Hz at {expected}"
    );
}

#[test]
fn spectrogram_of_a_song_at_another_size() {
    let (l, r) = song();
    let audio = Audio {
        rate: RATE,
        start: 24 * RATE as u64,
        left: &l,
        right: &r,
    };
    let frame = Frame::new("master, bars 13-16").with_bars(bars(24 * RATE as u64, 4), 13);
    let png = crate::spectrogram(&audio, &frame).unwrap();
    save("spectrogram", &png);
    let small = crate::spectrogram(&audio, &frame.clone().with_size(640, 360)).unwrap();
    let pic = decode(&small);
    assert_eq!((pic.width, pic.height), (640, 360));
    save("spectrogram-small", &small);
}

#[test]
fn fast_db_is_close_to_log10() {
    use crate::spectrogram::fast_db;
    for i in -200..=40 {
        let p = 10f32.powf(i as f32 / 10.0) * 1.37;
        let exact = 10.0 * p.log10();
        assert!(
            (fast_db(p) - exact).abs() < 0.03,
            "{p}: {} vs {exact}",
            fast_db(p)
        );
    }
    assert_eq!(fast_db(0.0), -200.0);
    assert_eq!(fast_db(f32::NAN), -200.0);
}

#[test]
fn levels_read_in_dbfs_and_frames_do_not_leak_into_each_other() {
    use crate::spectrogram::{analyse, row_maps, HOP};
    // 937.5 Hz is exactly bin 40 of a 2048-point FFT at 48 kHz.
    let tone = sine(937.5, 0.5, 1.0);
    // Frame k hears samples k * HOP - 1024 .. k * HOP + 1024. The tone
    // plays from where frame 34's window ends to where frame 101's starts,
    // so frames 34 and 101 are silent while 35 and 100, sharing an FFT
    // with them, hear it.
    let (on, off) = (34 * HOP + 1024, 101 * HOP - 1024);
    let mut mono = vec![0f32; tone.len()];
    mono[on..off].copy_from_slice(&tone[on..off]);
    let ph = 1000;
    let maps = row_maps(RATE, RATE as f64 / 2.0, ph);
    let frames = mono.len() / HOP + 1;
    let rows = analyse(&mono, HOP, frames, &maps);
    let peak = |k: usize| {
        rows[k * ph..(k + 1) * ph]
            .iter()
            .copied()
            .fold(f32::MIN, f32::max)
    };
    for k in [33, 34, 101, 102] {
        assert!(peak(k) < -100.0, "silent frame {k} reads {} dB", peak(k));
    }
    for k in [35, 100] {
        assert!(
            peak(k) > -60.0,
            "frame {k} hears the edge of the tone: {}",
            peak(k)
        );
    }
    for k in [60, 61, 90, 91] {
        assert!(
            (peak(k) - (-6.02)).abs() < 0.3,
            "frame {k}: {} dB for a 0.5 sine",
            peak(k)
        );
    }
}
