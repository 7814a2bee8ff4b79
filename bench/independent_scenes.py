#!/usr/bin/env python3
"""Joint-sound scenes written from the numbers in DOMAIN.md alone, without
popscope's own generator (datasets/): a check of how the detector and the
classifier do on sounds made another way. Standard library only.

Each scene is 15 s of white, pink or brown background (sometimes with mains
hum) at 16, 44.1 or 48 kHz holding, at random times and a peak SNR drawn from
--snr: thrusts of 1-6 pops, crepitus episodes (micro-impulse trains, with
friction noise in one of three), snaps, and other sounds (knocks, claps,
instrument clicks, a fingertip tapping the sensor).

usage: independent_scenes.py OUT_DIR [--scenes N] [--seed S] [--snr LO:HI]
Writes OUT_DIR/sceneNNN.wav (16-bit mono), sceneNNN.txt (Audacity labels) and
sceneNNN.kinds (onset and the drawn parameters of every labelled sound)."""
import argparse, math, os, random, struct, wave

SNR = (10, 30)

def damped(n, rate, f, tau, amp=1.0, ph=0.0, attack_s=0.0001):
    w = 2 * math.pi * f / rate; d = math.exp(-1.0 / (tau * rate)); a_n = max(1, int(attack_s * rate))
    out = [0.0] * n; e = amp
    for k in range(n):
        a = e * (math.sin(0.5 * math.pi * (k + 1) / a_n) if k < a_n else 1.0)
        out[k] = a * math.sin(w * k + ph); e *= d
    return out

def add(dst, at, src, g=1.0):
    for k, v in enumerate(src):
        if 0 <= at + k < len(dst): dst[at + k] += g * v

def peak_rms(x, rate, win_s=0.002):
    n = max(1, int(win_s * rate)); best = 0.0; acc = 0.0
    for k, v in enumerate(x):
        acc += v * v
        if k >= n: acc -= x[k - n] * x[k - n]
        best = max(best, acc)
    return math.sqrt(best / n)

class Scene:
    def __init__(self, rng, rate):
        self.rng, self.rate = rng, rate

    def pop(self):
        # one sharp transient, decaying oscillation, 3-11 ms long (Dunning 2013); peak 86-1830 Hz
        # on the skin, ~2 kHz for a knuckle in air. "Long" read anywhere from -20 to -40 dB.
        r, R = self.rng, self.rate
        dur = r.uniform(0.003, 0.011); end = math.exp(r.uniform(math.log(0.01), math.log(0.1)))
        f = math.exp(r.uniform(math.log(86), math.log(2500))); tau = dur / math.log(1 / end)
        x = damped(int(dur * 1.3 * R), R, f, tau, 1.0, r.uniform(0, 6.28), r.uniform(0.00005, 0.0005))
        if r.random() < 0.5:
            for k in range(int(0.0006 * R)): x[k] += r.gauss(0, 0.3) * math.exp(-k / (0.0002 * R))
        self.last = 'f=%.0f dur=%.4f end=%.3f tau=%.4f' % (f, dur, end, tau)
        return x

    def thrust(self):
        n = self.rng.choice([1, 1, 2, 3, 4, 5, 6]); t = 0.0; parts = []
        for i in range(n):
            parts.append((t, self.pop(), 'cavitation', self.rng.uniform(0.6, 1.0), 'pop n=%d %s' % (n, self.last)))
            t += self.rng.uniform(0.010, 0.030)
        return parts

    def crepitus(self):
        # irregular trains of many small micro-impulses plus friction noise, 0.1-2 s
        r, R = self.rng, self.rate
        d = math.exp(r.uniform(math.log(0.15), math.log(2.0))); n = int(d * R)
        x = [0.0] * n; fb = math.exp(r.uniform(math.log(300), math.log(5000)))
        rate_hz = r.uniform(20, 150); t = 0.0; first = True
        while t < d - 0.01:
            tau = r.uniform(0.0001, 0.0008)
            imp = damped(int(6 * tau * R) + 2, R, fb * r.uniform(0.7, 1.4), tau, r.uniform(0.5, 1.0), r.uniform(0, 6.28), 0.00003)
            add(x, int(t * R), imp); t += r.expovariate(rate_hz) + 0.002
        fr = r.choice([0.0, 0.0, r.uniform(0.02, 0.15)])
        if fr > 0:
            # friction: low-passed noise following the movement (VAG bands 50-450 Hz)
            a = math.exp(-2 * math.pi * r.uniform(80, 450) / R); y = 0.0
            for k in range(n):
                y = a * y + (1 - a) * r.gauss(0, 1)
                x[k] += fr * 8 * y * math.sin(math.pi * k / n)
        return [(0.0, x, 'crepitus', 1.0, 'crep d=%.2f fb=%.0f rate=%.0f fr=%.2f' % (d, fb, rate_hz, fr))]

    def snap(self):
        # low damped vibration 45-260 Hz, damping ratio 0.04-0.1, rings 10-100 ms (Ozmen 2021)
        r, R = self.rng, self.rate
        f = math.exp(r.uniform(math.log(45), math.log(260))); z = r.uniform(0.04, 0.1)
        tau = 1 / (z * 2 * math.pi * f)
        x = damped(int(5 * tau * R), R, f, tau, 1.0, 0.0, min(0.004, 0.25 / f))
        return [(0.0, x, 'snap', 1.0, 'snap f=%.0f z=%.3f' % (f, z))]

    def other(self):
        r, R = self.rng, self.rate; kind = r.choice(['knock', 'clap', 'click', 'tap'])
        if kind == 'knock':  # several wood modes, 100-1500 Hz, 5-30 ms
            x = [0.0] * int(0.15 * R)
            for m in range(r.randint(2, 4)):
                add(x, 0, damped(len(x), R, r.uniform(100, 1500), r.uniform(0.005, 0.03), r.uniform(0.3, 1), r.uniform(0, 6.28)))
        elif kind == 'clap':  # noise burst with a short decay
            tau = r.uniform(0.004, 0.012); x = [r.gauss(0, 1) * math.exp(-k / (tau * R)) for k in range(int(8 * tau * R))]
        elif kind == 'click':  # metallic instrument click: high inharmonic modes
            x = [0.0] * int(0.03 * R); base = r.uniform(2500, 6000)
            for ratio in (1.0, 1.5, 2.1):
                if base * ratio < 0.45 * R: add(x, 0, damped(len(x), R, base * ratio, r.uniform(0.002, 0.008), r.uniform(0.3, 1)))
        else:  # fingertip tap on the sensor: a dull thud 30-150 Hz plus contact noise
            x = damped(int(0.12 * R), R, r.uniform(30, 150), r.uniform(0.01, 0.03), 1.0, 0.0, 0.002)
            for k in range(int(0.004 * R)): x[k] += r.gauss(0, 0.2)
        return [(0.0, x, 'other', 1.0, kind)]

def write_scene(path, rng, rate, dur_s=15.0):
    sc = Scene(rng, rate); n = int(dur_s * rate)
    colour = rng.choice(['white', 'pink', 'brown'])
    x = [0.0] * n; b0 = b1 = b2 = 0.0; y = 0.0
    for k in range(n):
        w = rng.gauss(0, 1)
        if colour == 'white': x[k] = w
        elif colour == 'brown': y = 0.995 * y + w; x[k] = 0.1 * y
        else:  # Paul Kellet's economy pink filter
            b0 = 0.99765 * b0 + w * 0.0990460; b1 = 0.96300 * b1 + w * 0.2965164; b2 = 0.57000 * b2 + w * 1.0526913
            x[k] = b0 + b1 + b2 + w * 0.1848
    rms = math.sqrt(sum(v * v for v in x) / n); x = [v * 0.001 / rms for v in x]
    if rng.random() < 0.3:
        hz = rng.choice([50, 60]); x = [v + 0.0005 * math.sin(2 * math.pi * hz * k / rate) for k, v in enumerate(x)]
    labels = []; t = rng.uniform(0.5, 1.0)
    makers = [sc.thrust, sc.thrust, sc.crepitus, sc.snap, sc.snap, sc.other, sc.other]
    while t < dur_s - 2.5:
        parts = rng.choice(makers)(); snr_db = rng.uniform(*SNR); end = t
        ref = max(peak_rms(p[1], rate) for p in parts)
        g = 0.001 * 10 ** (snr_db / 20) / max(ref, 1e-12)
        for off, sig, cls, lvl, desc in parts:
            at = int((t + off) * rate); add(x, at, sig, g * lvl)
            labels.append((t + off, t + off + len(sig) / rate, cls, desc + ' snr=%.0f' % snr_db)); end = max(end, t + off + len(sig) / rate)
        t = end + rng.uniform(0.3, 1.0)
    peak = max(abs(v) for v in x); s = 0.5 / peak
    with wave.open(path, 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(b''.join(struct.pack('<h', int(v * s * 32767)) for v in x))
    with open(path[:-4] + '.txt', 'w') as f:
        for a, b, c, _ in labels: f.write('%.6f\t%.6f\t%s\n' % (a, b, c))
    with open(path[:-4] + '.kinds', 'w') as f:
        for a, b, c, k in labels: f.write('%.6f\t%s\n' % (a, k))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    def snr_range(text):
        try:
            lo, hi = (float(v) for v in text.split(':'))
        except ValueError:
            raise argparse.ArgumentTypeError("'%s' is not LO:HI in dB (e.g. 10:30)" % text)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise argparse.ArgumentTypeError("'%s': LO must be a number no larger than HI" % text)
        return lo, hi

    def positive(text):
        n = int(text)
        if n < 1:
            raise argparse.ArgumentTypeError('must be at least 1')
        return n

    ap.add_argument('out')
    ap.add_argument('--scenes', type=positive, default=24)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--snr', type=snr_range, default=(10.0, 30.0), help='peak SNR range LO:HI in dB')
    a = ap.parse_args()
    SNR = a.snr
    try:
        os.makedirs(a.out, exist_ok=True)
    except OSError as e:
        ap.exit(4, '%s: cannot create folder: %s\n' % (a.out, e.strerror))
    for i in range(a.scenes):
        rng = random.Random(a.seed * 100003 + i)
        write_scene(os.path.join(a.out, 'scene%03d.wav' % i), rng, rng.choice([16000, 44100, 48000]))
