#!/usr/bin/env python3
"""Write songs/samples/pluck.wav: a plucked string (Karplus-Strong) at C4,
1.2 s, 44.1 kHz, 16-bit mono. The demo song's sampler plays it; it is at
44.1 kHz on purpose, so that playing it resamples it. Deterministic: the
same bytes every run."""
import struct, wave, random, os

rate, f0, seconds = 44100, 261.6256, 1.2
n = int(rate * seconds)
# Each pass averages a sample with the one after it, which shortens the
# loop by half a sample: the loop is length - 0.5 samples (168.5: 261.72 Hz,
# C4 + 0.6 cents).
length = int(round(rate / f0 + 0.5))
rnd = random.Random(2026)
buf = [rnd.uniform(-1, 1) for _ in range(length)]
out = []
i = 0
prev = 0.0
for k in range(n):
    a = buf[i % len(buf)]
    b = buf[(i + 1) % len(buf)]
    # The averaging filter: the string's loss.
    y = 0.996 * 0.5 * (a + b)
    out.append(a)
    buf[i % len(buf)] = y
    i += 1
peak = max(abs(v) for v in out)
fade = int(0.01 * rate)
frames = b"".join(
    struct.pack("<h", int(32767 * 0.8 * v / peak * (min(1.0, (n - k) / fade))))
    for k, v in enumerate(out)
)
path = os.path.join(os.path.dirname(__file__), "..", "songs", "samples", "pluck.wav")
with wave.open(path, "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(frames)
print(path, n, "frames")
