#!/usr/bin/env python3
"""Why crepitus onsets are found late: how salient an episode's first audible
impulse is, against the background just before it.

For every crepitus episode in the reference labels, the episode counts as
"on time" when an estimated onset lies within the 20 ms collar (one-to-one,
nearest first, any class) and as "late" when the nearest estimate lies later
inside the episode. Both groups are then measured the same way: the signal is
whitened by a linear predictor (order 24) fitted on the background of the
0.9-0.05 s before the onset (labelled events and 20 ms around them left out),
and the energy of 1 ms windows (0.25 ms hop) within 2 ms of the labelled onset
is compared with the loudest 1 ms window of that background (its first and
last 5 ms left out: there the predictor and the filter below lack their
history). Also counted: how long after the onset the first window louder than
that background comes.

The same comparison is then made through a filter matched to the episode's own
spectrum, the best a detector that knows the episode's sound can do: the
whitened episode from 30 ms after its onset (so the first impulse does not
shape the filter) to 300 ms (or its end) is compared with the whitened
background, band by band (256-point Welch spectra), and each band is weighted
by sqrt(S / (1 + S)) with S the episode's excess power over the background's.

With a third folder of unclassified events (`popscope analyze --model none`),
it also counts the missed reference events of every class for which the
detector had a candidate within the collar (which the classifier then
rejected or moved).

Usage:
  popscope analyze REF_DIR --format audacity --output-dir EST_DIR
  popscope analyze REF_DIR --model none --format audacity --output-dir CAND_DIR
  python3 bench/knee_onset_salience.py REF_DIR EST_DIR [CAND_DIR]

REF_DIR holds 16-bit WAV recordings with Audacity label files of the same stem
(as `popscope synth` writes them). Needs python3-numpy (a Debian package).
"""
import collections
import glob
import os
import sys
import wave

import numpy as np

COLLAR_S = 0.02
ORDER = 24


def load_labels(path):
    out = []
    if not os.path.exists(path):
        return out
    for line in open(path):
        f = line.rstrip('\n').split('\t')
        if len(f) >= 3 and not f[0].startswith('\\'):
            out.append((float(f[0]), float(f[1]), f[2].strip()))
    return out


def read_wav(path):
    w = wave.open(path)
    if w.getsampwidth() != 2:
        sys.exit('%s: only 16-bit WAV is supported' % path)
    ch = w.getnchannels()
    x = np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(float).reshape(-1, ch) / 32768
    return x.mean(axis=1), w.getframerate()


def match(ref, est):
    pairs = sorted((abs(r[0] - e[0]), i, j) for i, r in enumerate(ref) for j, e in enumerate(est)
                   if abs(r[0] - e[0]) <= COLLAR_S)
    used_r, used_e = set(), set()
    for _, i, j in pairs:
        if i not in used_r and j not in used_e:
            used_r.add(i)
            used_e.add(j)
    return used_r, used_e


def whiten(background, segment):
    ac = np.array([background @ background] + [background[:-k] @ background[k:] for k in range(1, ORDER + 1)])
    ac[0] *= 1 + 1e-9
    toeplitz = ac[np.abs(np.subtract.outer(np.arange(ORDER), np.arange(ORDER)))]
    a = np.linalg.solve(toeplitz, -ac[1:ORDER + 1])
    return np.convolve(segment, np.concatenate(([1.0], a)))[:len(segment)]


def welch(x, n=256):
    """Mean power spectrum of Hann-windowed, half-overlapping n-point frames, or None when x is too short."""
    frames = len(x) // (n // 2) - 1
    if frames < 1:
        return None
    w = np.hanning(n)
    return np.mean([np.abs(np.fft.rfft(w * x[i * n // 2:i * n // 2 + n])) ** 2 for i in range(frames)], axis=0)


def matched_filter(background, episode, n=256):
    """FIR weighting each band by sqrt(S / (1 + S)), S the episode's excess power over the background's."""
    pb, pe = welch(background, n), welch(episode, n)
    if pb is None or pe is None:
        return None
    excess = np.maximum(pe / np.maximum(pb, 1e-30) - 1, 0)
    return np.fft.fftshift(np.fft.irfft(np.sqrt(excess / (1 + excess)), n)) * np.hanning(n)


def compare(e, rate, a0, a1, busy, onset_s):
    """(dB of the onset's loudest 1 ms over the loudest background ms, ms to the first louder window)."""
    win, hop = int(0.001 * rate), max(1, int(0.00025 * rate))
    cs = np.concatenate(([0.0], np.cumsum(e * e)))
    starts = np.arange(0, len(e) - win, hop)
    energy = (cs[starts + win] - cs[starts]) / win
    centre = (starts + win / 2) / rate + a0
    # Filter edges (the first and last 5 ms of the background) are left out.
    in_bg = (centre > a0 + 0.005) & (centre < a1 - 0.005) & \
        ~busy[np.clip(((centre - a0) * rate).astype(int), 0, len(busy) - 1)]
    loudest = energy[in_bg].max()
    near = np.abs(centre - onset_s) <= 0.002
    louder = (centre >= onset_s - 0.002) & (energy > loudest)
    first_ms = (centre[louder].min() - onset_s) * 1000 if louder.any() else float('inf')
    return 10 * np.log10(energy[near].max() / loudest), first_ms


def salience(x, rate, labels, onset_s, offset_s):
    """((dB, ms) broadband whitened, (dB, ms) matched to the episode) or None."""
    a0, a1 = onset_s - 0.9, onset_s - 0.05
    end_s = min(offset_s, onset_s + 0.3, len(x) / rate)
    if a0 < 0 or end_s < onset_s + 0.05:
        return None
    t = np.arange(int(a0 * rate), int(a1 * rate))
    busy = np.zeros(len(t), bool)
    for q in labels:
        busy |= (t >= (q[0] - 0.02) * rate) & (t <= (q[1] + 0.02) * rate)
    if busy.mean() > 0.5:
        return None
    seg = x[int(a0 * rate):int(end_s * rate)]
    e = whiten(x[t[~busy]], seg)
    h = matched_filter(e[:len(t)][~busy], e[int((onset_s + 0.03 - a0) * rate):])
    if h is None:
        return None
    return compare(e, rate, a0, a1, busy, onset_s), compare(np.convolve(e, h, mode='same'), rate, a0, a1, busy, onset_s)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    ref_dir, est_dir = sys.argv[1], sys.argv[2]
    cand_dir = sys.argv[3] if len(sys.argv) == 4 else None
    files = sorted(glob.glob(os.path.join(ref_dir, '*.txt')))
    if not files:
        sys.exit('%s: no label files' % ref_dir)
    groups = {'on time': [], 'late': []}
    candidates = collections.Counter()
    for ref_path in files:
        name = os.path.basename(ref_path)
        ref, est = load_labels(ref_path), load_labels(os.path.join(est_dir, name))
        used_r, used_e = match(ref, est)
        cand = load_labels(os.path.join(cand_dir, name)) if cand_dir else []
        x = None
        for i, r in enumerate(ref):
            if cand_dir and i not in used_r:
                found = any(abs(c[0] - r[0]) <= COLLAR_S for c in cand)
                candidates[(r[2], found)] += 1
            if r[2] != 'crepitus':
                continue
            if i in used_r:
                group = 'on time'
            elif any(j not in used_e and r[0] + COLLAR_S < e[0] <= r[1] for j, e in enumerate(est)):
                group = 'late'
            else:
                continue
            if x is None:
                x, rate = read_wav(ref_path[:-4] + '.wav')
            s = salience(x, rate, ref, r[0], r[1])
            if s is not None:
                groups[group].append(s)
    for group, values in groups.items():
        if not values:
            continue
        print('%s: %d crepitus episodes' % (group, len(values)))
        for k, how in enumerate(('whitened', 'matched to the episode')):
            db = np.array([v[k][0] for v in values])
            ms = np.array([v[k][1] for v in values])
            q1, q3 = np.percentile(db, [25, 75])
            print('  %s: first impulse over the loudest background ms: %d (by 3 dB: %d); median %.1f dB '
                  '(quartiles %.1f, %.1f); first louder window within 20 ms %d, 20-120 ms %d, later %d'
                  % (how, (db > 0).sum(), (db > 3).sum(), np.median(db), q1, q3,
                     (ms <= 20).sum(), ((ms > 20) & (ms <= 120)).sum(), (ms > 120).sum()))
    for cls in sorted({k[0] for k in candidates}):
        print('missed %s: %d had a detector candidate within the collar, %d had none'
              % (cls, candidates[(cls, True)], candidates[(cls, False)]))


if __name__ == '__main__':
    main()
