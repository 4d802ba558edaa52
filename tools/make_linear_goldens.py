#!/usr/bin/python3
"""Make the linear-decoder golden files (issue 12; DESIGN.md, linear decoders A-C).

    /usr/bin/python3 tools/make_linear_goldens.py            # writes tests/golden/linear_*
    /usr/bin/python3 tools/make_linear_goldens.py --out DIR  # writes somewhere else

Simulates a small population (480 trials x 64 neurons), runs the numpy/scipy/sklearn
reference (tools/linear_reference.py) and writes

    linear_inputs.npz        the simulated data and the train/test split
    linear_ridge.npz         ridge decoder, P = 360, 180 and 0
    linear_vonmises.npz      von Mises decoder, P = 360 and 180
    linear_discriminate.npz  discrimination threshold, P = 360, 180, a small case with
                             empty bins, and the neurons curve
    linear_README.md         every key, plus the numbers this run got

All files are plain np.savez (no compression, no pickles). Seeded (numpy default_rng), so a
rerun on the same software gives the same arrays. After writing, the script reloads the files
and checks them (ridge sklearn == dual form, finite thresholds of a few degrees, threshold
falls with more neurons, sizes); it exits non-zero if a check fails.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linear_reference as lr  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SEED = 12
N_TRIALS = 480
N_NEURONS = 64
N_SPEED_NEURONS = 16
JITTER_DEG = 5.0        # shared trial jitter of the seen angle (information-limiting noise)
NOISE_SD = 0.3          # independent Gaussian noise per neuron and trial
KAPPA_RANGE = (1.0, 4.0)
GAIN_RANGE = (0.5, 2.0)
SECOND_BUMP_MAX = 0.5   # relative amplitude of the bump 180 deg from the preferred direction
N_EDGE_TRIALS = 8       # the first 8 test trials get stimuli on a 0.25-degree grid
SMALL_TRIALS = 96       # the small discriminate case: the first 96 trials only
CURVE_PERM_SEED = 1
LAM = 1.0


def simulate(seed=SEED):
    """The synthetic inputs. Returns a dict of the arrays stored in linear_inputs.npz."""
    rng = np.random.default_rng(seed)
    stimuli = rng.uniform(0.0, 360.0, N_TRIALS).astype(np.float32)
    # Exact bin edges: with theta on a 0.25-degree grid, theta - theta_j is exactly
    # representable and lands on some d +- 0.5 for a few references, which exercises the
    # edge rule of the psychometric binning. Test trials are 0, 4, 8, ...
    edge_rows = np.arange(0, 4 * N_EDGE_TRIALS, 4)
    stimuli[edge_rows] = np.remainder(np.round(stimuli[edge_rows] * 4.0) / 4.0, 360.0)

    pref = rng.uniform(0.0, 360.0, N_NEURONS)
    kappa = rng.uniform(*KAPPA_RANGE, N_NEURONS)
    gain = rng.uniform(*GAIN_RANGE, N_NEURONS)
    second = rng.uniform(0.0, SECOND_BUMP_MAX, N_NEURONS)
    seen = stimuli.astype(np.float64) + rng.normal(0.0, JITTER_DEG, N_TRIALS)
    c = np.cos(np.deg2rad(seen[:, None] - pref[None, :]))
    tuning = gain * (np.exp(kappa * (c - 1.0)) + second * np.exp(kappa * (-c - 1.0)))
    resp = (tuning + NOISE_SD * rng.normal(size=tuning.shape)).astype(np.float32)

    # Non-circular case (P = 0): running speed, responses linear in it plus noise.
    speed = rng.gamma(2.0, 5.0, N_TRIALS).astype(np.float32)
    slope = rng.normal(0.0, 0.1, N_SPEED_NEURONS)
    base = rng.uniform(0.0, 1.0, N_SPEED_NEURONS)
    resp_speed = (base + speed[:, None].astype(np.float64) * slope
                  + 0.5 * rng.normal(size=(N_TRIALS, N_SPEED_NEURONS))).astype(np.float32)

    train_idx, test_idx = lr.every_fourth_split(N_TRIALS)
    curve_perm = np.random.default_rng(CURVE_PERM_SEED).permutation(N_NEURONS).astype(np.int64)
    return dict(resp=resp, stimuli=stimuli, speed=speed, resp_speed=resp_speed,
                train_idx=train_idx, test_idx=test_idx, curve_perm=curve_perm)


def f64(x):
    return np.asarray(x, dtype=np.float64)


def run_ridge(inp):
    out = {}
    cases = [("p360", 360.0, inp["resp"], inp["stimuli"]),
             ("p180", 180.0, inp["resp"], inp["stimuli"]),
             ("p0", 0.0, inp["resp_speed"], inp["speed"])]
    for tag, period, resp, values in cases:
        r = lr.ridge(resp, values, inp["train_idx"], inp["test_idx"], period, LAM)
        out[f"{tag}_period"] = f64(period)
        out[f"{tag}_alpha"] = f64(r["alpha"])
        out[f"{tag}_weights"] = f64(r["weights"])
        out[f"{tag}_weights_dual"] = f64(r["weights_dual"])
        out[f"{tag}_outputs"] = f64(r["outputs"])
        out[f"{tag}_pred"] = f64(r["pred"])
        if period == 0:
            out[f"{tag}_train_mean"] = f64(r["train_mean"])
    return out


def run_vonmises(inp):
    out = {}
    for tag, period in (("p360", 360.0), ("p180", 180.0)):
        r = lr.vonmises(inp["resp"], inp["stimuli"], inp["train_idx"], inp["test_idx"],
                        period, LAM)
        out[f"{tag}_period"] = f64(period)
        out[f"{tag}_alpha"] = f64(r["alpha"])
        out[f"{tag}_outputs"] = f64(r["outputs"])
        out[f"{tag}_argmax"] = r["argmax"].astype(np.int64)
        out[f"{tag}_pred"] = f64(r["pred"])
    return out


DISC_KEYS_F64 = ("neuron_mean", "neuron_std", "z_mean", "z_std", "outputs", "p_full",
                 "p_raw", "p_sym")
DISC_KEYS_I64 = ("counts", "positives", "d_used", "train_idx", "test_idx")


def run_discriminate(inp):
    out = {"d_grid": lr.D_GRID.astype(np.int64)}
    f32 = {}
    cases = [("p360", 360.0, N_TRIALS), ("p180", 180.0, N_TRIALS), ("small", 360.0, SMALL_TRIALS)]
    for tag, period, n in cases:
        resp, stim = inp["resp"][:n], inp["stimuli"][:n]
        r = lr.discriminate(resp, stim, period, LAM)
        out[f"{tag}_period"] = f64(period)
        out[f"{tag}_n_trials"] = np.int64(n)
        out[f"{tag}_alpha"] = f64(r["alpha"])
        for k in DISC_KEYS_F64:
            out[f"{tag}_{k}"] = f64(r[k])
        for k in DISC_KEYS_I64:
            out[f"{tag}_{k}"] = np.asarray(r[k], dtype=np.int64)
        if tag == "p360":  # weights of one case only: the folder has a 1 MB budget
            out[f"{tag}_weights"] = f64(r["weights"])
        out[f"{tag}_n_edge"] = np.int64(r["n_edge"])
        out[f"{tag}_beta"] = f64(r["beta"])
        out[f"{tag}_threshold"] = f64(r["threshold"])
        # What single precision would change (reported in the README, not stored).
        r32 = lr.discriminate(resp, stim, period, LAM, dtype=np.float32)
        o64, o32 = r["outputs"], r32["outputs"]
        f32[tag] = dict(
            rel=float(np.max(np.abs(o64 - o32)) / np.max(np.abs(o64))),
            flips=int(np.sum((o64 > 0) != (o32 > 0))),
            min_abs=float(np.min(np.abs(o64))),
            dthr=float(r32["threshold"] - r["threshold"]),
            counts_same=bool(np.array_equal(r["positives"], r32["positives"])),
        )
    sizes, thr = lr.neurons_curve(inp["resp"], inp["stimuli"], inp["curve_perm"], 360.0, LAM)
    out["curve_period"] = f64(360.0)
    out["curve_perm"] = inp["curve_perm"].astype(np.int64)
    out["curve_sizes"] = sizes
    out["curve_thresholds"] = thr
    return out, f32


def expect(ok, what, failures):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def check(out_dir, failures):
    inp = np.load(os.path.join(out_dir, "linear_inputs.npz"))
    rid = np.load(os.path.join(out_dir, "linear_ridge.npz"))
    vm = np.load(os.path.join(out_dir, "linear_vonmises.npz"))
    dis = np.load(os.path.join(out_dir, "linear_discriminate.npz"))
    bad = [k for z in (inp, rid, vm, dis) for k in z.files
           if z[k].dtype.kind == "f" and not k.endswith("p_full")
           and not np.all(np.isfinite(z[k]))]
    expect(not bad, f"every float array finite (p_full may hold NaN) {bad or ''}", failures)
    te = inp["test_idx"]
    for tag in ("p360", "p180", "p0"):
        w, wd = rid[f"{tag}_weights"], rid[f"{tag}_weights_dual"]
        rel = np.max(np.abs(w - wd)) / np.max(np.abs(w))
        expect(rel < 1e-9, f"ridge {tag}: sklearn == dual form (rel {rel:.1e})", failures)
        wp = lr.ridge_primal(
            (inp["resp_speed"] if tag == "p0" else inp["resp"])[inp["train_idx"]],
            _ridge_y(inp, tag), float(rid[f"{tag}_alpha"]))
        rel = np.max(np.abs(w - wp)) / np.max(np.abs(w))
        expect(rel < 1e-9, f"ridge {tag}: sklearn == primal normal equations (rel {rel:.1e})",
               failures)
    for tag, period in (("p360", 360.0), ("p180", 180.0)):
        e = lr.circular_error(rid[f"{tag}_pred"], inp["stimuli"][te], period)
        expect(np.median(np.abs(e)) < 15, f"ridge {tag}: median |error| "
               f"{np.median(np.abs(e)):.2f} deg < 15", failures)
        e = lr.circular_error(vm[f"{tag}_pred"], inp["stimuli"][te], period)
        expect(np.median(np.abs(e)) < 15, f"vonmises {tag}: median |error| "
               f"{np.median(np.abs(e)):.2f} deg < 15", failures)
    e = rid["p0_pred"] - inp["speed"][te]
    cc = np.corrcoef(rid["p0_pred"], inp["speed"][te])[0, 1]
    expect(cc > 0.8, f"ridge p0: corr(pred, speed) {cc:.3f} > 0.8", failures)
    for tag in ("p360", "p180"):
        thr = float(dis[f"{tag}_threshold"])
        expect(1.0 < thr < 15.0, f"discriminate {tag}: threshold {thr:.3f} deg in (1, 15)",
               failures)
        expect(int(dis[f"{tag}_n_edge"]) > 0, f"discriminate {tag}: "
               f"{int(dis[f'{tag}_n_edge'])} edge pairs > 0", failures)
    n_empty = int(np.sum(dis["small_counts"] == 0))
    expect(n_empty > 0 and len(dis["small_d_used"]) < len(dis["d_grid"]),
           f"discriminate small: {n_empty} empty bins, d_used has {len(dis['small_d_used'])} "
           f"of {len(dis['d_grid'])}", failures)
    thr = dis["curve_thresholds"]
    expect(bool(np.all(np.isfinite(thr))), "neurons curve: all thresholds finite", failures)
    expect(thr[0] < thr[len(thr) // 2] < thr[-1],
           f"neurons curve: threshold falls with neurons ({thr[-1]:.1f} at 1 neuron, "
           f"{thr[0]:.2f} at {dis['curve_sizes'][0]})", failures)
    ours = sum(os.path.getsize(os.path.join(out_dir, n)) for n in os.listdir(out_dir)
               if n.startswith("linear_"))
    expect(ours < 450_000, f"linear_* files total {ours} bytes < 450 kB", failures)
    total = sum(os.path.getsize(os.path.join(out_dir, n)) for n in os.listdir(out_dir))
    # tools/make_goldens.py checks that the whole folder stays under 1 MB.
    expect(total < 1_000_000, f"tests/golden total {total} bytes < 1 MB", failures)


def _ridge_y(inp, tag):
    tr = inp["train_idx"]
    if tag == "p0":
        y = lr.ridge_targets(inp["speed"], 0.0)[tr]
        return y - y.mean()
    return lr.ridge_targets(inp["stimuli"], 360.0 if tag == "p360" else 180.0)[tr]


def fmt_list(a, digits=2):
    return ", ".join(f"{x:.{digits}f}" for x in a)


def readme(dis, f32):
    sizes = dis["curve_sizes"]
    thr = dis["curve_thresholds"]
    curve = ", ".join(f"{n}: {t:.2f}" for n, t in zip(sizes, thr))
    f32_lines = "\n".join(
        f"| {tag} | {v['rel']:.1e} | {v['min_abs']:.1e} | {v['flips']} | "
        f"{'same' if v['counts_same'] else 'differ'} | {v['dthr']:+.1e} |"
        for tag, v in f32.items())
    return f"""# Golden files: linear decoders (Stringer et al. 2021)

Made by `/usr/bin/python3 tools/make_linear_goldens.py` from the numpy/scipy/scikit-learn
reference `tools/linear_reference.py` (DESIGN.md, linear decoders A-C; issue 12). Plain
`np.savez` archives (not compressed, no pickles). Seeded, so a rerun on the same software gives
the same arrays. Every computation is float64; every decoder output is stored as float64.
Angles are in degrees. Weights are (n_neurons, n_targets): outputs = X_test @ weights.
`alpha` = lam * n_train with lam = 1, no intercept anywhere.

## `linear_inputs.npz`

| key | contents |
|---|---|
| `resp` | float32 (480, 64): simulated trials x neurons. Each neuron: gain * (exp(kappa (cos(s - mu) - 1)) + a exp(kappa (-cos(s - mu) - 1))) + N(0, {NOISE_SD}^2), with mu ~ U(0, 360), kappa ~ U{KAPPA_RANGE}, gain ~ U{GAIN_RANGE}, a ~ U(0, {SECOND_BUMP_MAX}); s = the seen angle = stimulus + a shared per-trial jitter N(0, {JITTER_DEG:g}^2) (information-limiting noise). |
| `stimuli` | float32 (480,): uniform in [0, 360). The first {N_EDGE_TRIALS} test trials (rows 0, 4, ..., {4 * (N_EDGE_TRIALS - 1)}) are rounded to multiples of 0.25 deg, so that some (trial, reference) differences fall exactly on a bin edge d +- 0.5. |
| `speed` | float32 (480,): gamma(2, 5) "running speed", arbitrary units (the P = 0 case). |
| `resp_speed` | float32 (480, {N_SPEED_NEURONS}): baseline U(0, 1) + speed * slope (slope ~ N(0, 0.1^2)) + N(0, 0.5^2). |
| `train_idx` | int64 (360,): trials with index % 4 != 0. Used by ridge and vonmises. |
| `test_idx` | int64 (120,): trials 0, 4, 8, ... (discriminate makes the same split itself). |
| `curve_perm` | int64 (64,): the neuron permutation of the neurons curve (also in `linear_discriminate.npz`). |

## `linear_ridge.npz` (decoder A; X = responses as given, not z-scored)
Prefix `p360` (`resp`, `stimuli`, P = 360), `p180` (`resp`, `stimuli` mod 180, P = 180),
`p0` (`resp_speed`, `speed`, P = 0).

| key | contents |
|---|---|
| `<p>_period` | float64 scalar: P |
| `<p>_alpha` | float64 scalar: 1 * n_train = 360 |
| `<p>_weights` | float64 (64, 2) [(16, 1) for p0]: sklearn `Ridge(fit_intercept=False, alpha)` on Y = [cos(2 pi theta/P), sin(2 pi theta/P)], or Y = speed - training mean |
| `<p>_weights_dual` | float64, same shape: X^T (X X^T + alpha I)^-1 Y (agrees with `weights` to ~1e-15 relative) |
| `<p>_outputs` | float64 (120, 2) [(120, 1)]: X_test @ weights |
| `<p>_pred` | float64 (120,): atan2(out_sin, out_cos) * P / (2 pi) mod P, or out + training mean for p0 |
| `p0_train_mean` | float64 scalar: mean of `speed[train_idx]` |

## `linear_vonmises.npz` (decoder B; X = responses as given)
Prefix `p360`, `p180`. 48 targets exp((cos(2 pi (theta - j P/48)/P) - 1)/sigma),
sigma = 0.1 * 360 / P, z-scored across the 48 per trial (ddof 0).

| key | contents |
|---|---|
| `<p>_period`, `<p>_alpha` | float64 scalars |
| `<p>_outputs` | float64 (120, 48): X_test @ weights (the raw test outputs) |
| `<p>_argmax` | int64 (120,): argmax over the 4800 fine points of outputs @ (Kyx inv(Kxx))^T |
| `<p>_pred` | float64 (120,): argmax / 4800 * P |

Near its peak the upsampled curve is flat: the best and second-best of the 4800 points differ
by as little as 7e-10 of the largest value here (median ~1e-6). A float64 implementation
should reproduce `argmax` exactly; a float32 one may land on the neighbouring point, so allow
+-1 (circularly: 0.075 deg for P = 360, 0.0375 deg for P = 180).

## `linear_discriminate.npz` (decoder C)
Prefix `p360` and `p180` (all 480 trials), and `small` (P = 360 on the first 96 trials of
`resp`/`stimuli` only: 72 train, 24 test; it has empty bins, so it exercises the
drop-with-mirror rule). Each case z-scores its own input.

| key | contents |
|---|---|
| `d_grid` | int64 (59,): -29 .. 29 |
| `<p>_period`, `<p>_alpha` | float64 scalars (alpha = n_train) |
| `<p>_n_trials` | int64 scalar: rows of `resp` used (480 or 96) |
| `<p>_train_idx`, `<p>_test_idx` | int64: the every-4th split of those rows |
| `<p>_neuron_mean`, `<p>_neuron_std` | float64 (64,): per-neuron mean and std (ddof 0, without the 1e-6) of the input |
| `<p>_z_mean`, `<p>_z_std` | float64 (64,): mean and std of the z-scored responses (x - mean)/(std + 1e-6): ~0 and std/(std + 1e-6) |
| `p360_weights` | float64 (64, 32): Z_train^T (Z_train Z_train^T + alpha I)^-1 Y (p360 only, to save space) |
| `<p>_outputs` | float64 (32, n_test): decoder output for reference j = j P/32 (row) and test trial (column) |
| `<p>_counts`, `<p>_positives` | int64 (59,): pairs with Delta in the open bin (d - 0.5, d + 0.5), and how many of them have output > 0 |
| `<p>_p_full` | float64 (59,): positives / counts, NaN where counts = 0 |
| `<p>_n_edge` | int64 scalar: pairs with Delta exactly d +- 0.5 for some d in the grid (in no bin) |
| `<p>_d_used` | int64: `d_grid` without the bins where d or -d is empty |
| `<p>_p_raw` | float64: P on `d_used`, before symmetrising |
| `<p>_p_sym` | float64: (p_raw + 1 - p_raw[::-1]) / 2 |
| `<p>_beta` | float64 scalar: `scipy.optimize.curve_fit` of 1/(1 + exp(-d/beta)) to p_sym, from beta = 5 |
| `<p>_threshold` | float64 scalar: beta * ln 3 |
| `curve_period` | float64 scalar: 360 |
| `curve_perm` | int64 (64,): neuron order; a size-n subset is `resp[:, curve_perm[:n]]` |
| `curve_sizes` | int64 ({len(sizes)},): floor(64 / 2^(k/2)), k = 0..20, sizes >= 1 (duplicates kept) |
| `curve_thresholds` | float64 ({len(sizes)},): the threshold of a separate discriminate() per size (each subset z-scored on its own, which is the same as subsetting the z-scored population) |

Delta = (stimulus mod P) - j P/32, wrapped by np.remainder to [0, P) and minus P above P/2,
all in float64: exact for these stimuli, so the edge pairs are well defined. A C++ version
must compute Delta the same way (in degrees, not radians) to find the same edges.

Thresholds this run: p360 {float(dis['p360_threshold']):.3f} deg (beta {float(dis['p360_beta']):.4f}),
p180 {float(dis['p180_threshold']):.3f} deg, small {float(dis['small_threshold']):.3f} deg.
Edge pairs: p360 {int(dis['p360_n_edge'])}, p180 {int(dis['p180_n_edge'])}, small {int(dis['small_n_edge'])}.
Neurons curve (size: threshold): {curve}.

### What float32 would change
The same discriminate run entirely in float32 (z-scoring, targets, Gram, Cholesky solve,
products), compared with the stored float64 outputs:

| case | max abs diff / max abs output | smallest abs float64 output | choices flipped | positives per bin | threshold change (deg) |
|---|---|---|---|---|---|
{f32_lines}

At this size float32 moves the outputs by well under 1e-5 of the largest output, far less
than the smallest |output|, so no choice flips and `counts`, `positives`, `p_*`, `beta` and
`threshold` come out identical. A float32 C++ implementation can therefore compare `outputs`
with a tolerance of ~1e-5 * max|output| and the rest exactly (`beta`/`threshold` to the
curve_fit tolerance, ~1e-7 relative). In general a choice can flip only where |output| is below
the float32 error; one flipped pair moves P(d) by 1/counts(d) (here 1/6 to 1/16), and the
threshold by a few hundredths of a degree. The Gram matrix is well conditioned (alpha = n_train
on the diagonal), so the float32 error comes from rounding in the products, not from the
solve; it grows with the number of neurons summed over (see bench/discriminate_numpy.py
--float32 for the full-size figure).
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "golden"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    inp = simulate()
    np.savez(os.path.join(args.out, "linear_inputs.npz"), **inp)
    np.savez(os.path.join(args.out, "linear_ridge.npz"), **run_ridge(inp))
    np.savez(os.path.join(args.out, "linear_vonmises.npz"), **run_vonmises(inp))
    dis, f32 = run_discriminate(inp)
    np.savez(os.path.join(args.out, "linear_discriminate.npz"), **dis)
    with open(os.path.join(args.out, "linear_README.md"), "w") as f:
        f.write(readme(dis, f32))

    failures = []
    check(args.out, failures)
    for tag, v in f32.items():
        print(f"float32 {tag}: rel diff {v['rel']:.1e}, {v['flips']} choices flipped, "
              f"threshold change {v['dthr']:+.1e}")
    print("thresholds: p360 %.3f, p180 %.3f, small %.3f" % (
        dis["p360_threshold"], dis["p180_threshold"], dis["small_threshold"]))
    print("neurons curve:", dict(zip(dis["curve_sizes"].tolist(),
                                     np.round(dis["curve_thresholds"], 3).tolist())))
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
