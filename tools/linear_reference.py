#!/usr/bin/python3
"""numpy/scipy/scikit-learn reference for the linear decoders of Stringer et al. 2021
("High-precision coding in visual cortex"), as pinned in DESIGN.md (issue 12).

Three decoders, all written from the recipe (not from the paper's code):

  ridge         linear map without intercept onto [cos, sin] of the angle (period P > 0) or
                onto a centred scalar (P = 0). Fitted both with sklearn.linear_model.Ridge
                and in the dual form; the two must agree.
  vonmises      ridge onto 48 z-scored von Mises bumps, decoded by circular Gaussian-kernel
                upsampling (x100) and argmax.
  discriminate  the paper's linear discrimination threshold: ridge (dual form) onto 32
                z-scored differences of von Mises bumps, sign choices, psychometric curve on
                1-degree bins, symmetrised, logistic fit, threshold = beta * ln 3.

Conventions
  * resp is (n_trials, n_neurons), stimuli (n_trials,) in degrees. Everything is computed in
    float64: inputs are cast with np.asarray(x, dtype=np.float64) first (sklearn's Ridge
    would otherwise solve in float32 when given float32 inputs).
  * period P in degrees: 360 for directions, 180 for orientations (angles taken mod P
    first), 0 for a non-circular variable (ridge only).
  * alpha = lam * n_train in every ridge fit; no intercept anywhere.
  * Weights are (n_neurons, n_targets): outputs = X_test @ W.

Importing this module has no side effects. Run with /usr/bin/python3 (Debian's numpy,
scipy and sklearn).
"""

import math

import numpy as np
import scipy.linalg
import scipy.optimize

N_VONMISES_BASIS = 48
VONMISES_UPSAMPLE = 100
N_REFERENCES = 32
D_GRID = np.arange(-29, 30, dtype=np.int64)  # psychometric bins, degrees
ZSCORE_EPS = 1e-6
LOGISTIC_BETA0 = 5.0


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def as_f64(x):
    """Return x as a C-contiguous float64 array (a copy only when needed)."""
    return np.ascontiguousarray(x, dtype=np.float64)


def sigma_for_period(period):
    """Width of the von Mises targets: 0.1 * 360 / P (0.1 for P=360, 0.2 for P=180)."""
    return 0.1 * 360.0 / period


def wrap_angle(theta, period):
    """theta mod P, in [0, P) (np.remainder, so negative angles wrap too)."""
    return np.remainder(as_f64(theta), period)


def signed_difference(a, b, period):
    """a - b wrapped to (-P/2, P/2]: (a - b) mod P, minus P where the result is > P/2."""
    d = np.remainder(as_f64(a) - as_f64(b), period)
    d[d > period / 2] -= period
    return d


def circular_error(pred, true, period):
    """Signed decoding error pred - true; wrapped to (-P/2, P/2] when P > 0."""
    if period == 0:
        return as_f64(pred) - as_f64(true)
    return signed_difference(pred, true, period)


def every_fourth_split(n_trials):
    """The fixed split: test = trials 0, 4, 8, ... (file order), train = the rest (int64)."""
    idx = np.arange(n_trials, dtype=np.int64)
    test = idx[::4].copy()
    train = idx[np.arange(n_trials) % 4 != 0].copy()
    return train, test


def zscore_rows(y):
    """z-score each row across its columns (mean and std over the row, ddof 0)."""
    y = as_f64(y)
    return (y - y.mean(axis=1, keepdims=True)) / y.std(axis=1, keepdims=True)


def zscore_neurons(resp, eps=ZSCORE_EPS):
    """z-score each neuron (column) across all trials: (x - mean) / (std + eps), std ddof 0.

    Returns (z, mean, std) with std the plain ddof-0 standard deviation (eps not added).
    """
    x = np.array(resp, dtype=np.float64)  # a copy, z-scored in place below
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    x -= mean
    x /= std + eps
    return x, mean, std


# --------------------------------------------------------------------------------------
# Ridge regression without intercept, two ways
# --------------------------------------------------------------------------------------


def ridge_sklearn(X, Y, alpha):
    """W (n_features, n_targets) from sklearn Ridge(fit_intercept=False, alpha=alpha)."""
    from sklearn.linear_model import Ridge  # imported here: only this function needs it

    X = as_f64(X)
    Y = as_f64(Y)
    model = Ridge(alpha=alpha, fit_intercept=False).fit(X, Y)
    coef = np.atleast_2d(model.coef_)  # (n_targets, n_features)
    return coef.T.copy()


def ridge_dual_coefficients(X, Y, alpha):
    """A = (X X^T + alpha I)^{-1} Y, shape (n_samples, n_targets), by Cholesky."""
    X = as_f64(X)
    gram = X @ X.T
    gram[np.diag_indices_from(gram)] += alpha
    return scipy.linalg.solve(gram, as_f64(Y), assume_a="pos")


def ridge_dual(X, Y, alpha):
    """W = X^T (X X^T + alpha I)^{-1} Y, shape (n_features, n_targets)."""
    return as_f64(X).T @ ridge_dual_coefficients(X, Y, alpha)


def ridge_primal(X, Y, alpha):
    """W = (X^T X + alpha I)^{-1} X^T Y (the primal normal equations, for cross-checks)."""
    X = as_f64(X)
    gram = X.T @ X
    gram[np.diag_indices_from(gram)] += alpha
    return scipy.linalg.solve(gram, X.T @ as_f64(Y), assume_a="pos")


# --------------------------------------------------------------------------------------
# A. Ridge decoder
# --------------------------------------------------------------------------------------


def ridge_targets(values, period):
    """Targets for the ridge decoder.

    P > 0: (n, 2) = [cos(2 pi theta / P), sin(2 pi theta / P)] with theta = values mod P.
    P = 0: (n, 1) = the values themselves (the caller subtracts the training mean).
    """
    v = as_f64(values)
    if period == 0:
        return v[:, None].copy()
    phase = 2.0 * np.pi * wrap_angle(v, period) / period
    return np.stack([np.cos(phase), np.sin(phase)], axis=1)


def ridge_decode_outputs(outputs, period, mean=0.0):
    """Predictions from the ridge outputs: atan2(sin, cos) * P / (2 pi) mod P, or out + mean."""
    outputs = as_f64(outputs)
    if period == 0:
        return outputs[:, 0] + mean
    angle = np.arctan2(outputs[:, 1], outputs[:, 0]) * period / (2.0 * np.pi)
    return np.remainder(angle, period)


def ridge(resp, values, train_idx, test_idx, period=360.0, lam=1.0):
    """Ridge decoder (DESIGN.md A). X = resp as given (no z-scoring), alpha = lam * n_train.

    Returns a dict:
      weights       (n_neurons, 2 or 1) from sklearn Ridge(fit_intercept=False)
      weights_dual  the same from the dual form X^T (X X^T + alpha I)^{-1} Y
      outputs       (n_test, 2 or 1) = X_test @ weights
      pred          (n_test,) decoded angles in [0, P), or values for P = 0
      train_mean    training mean of the values (P = 0; 0.0 otherwise)
      alpha         lam * n_train
      dual_max_abs_diff  max |weights - weights_dual|
    """
    X = as_f64(resp)
    train_idx = np.asarray(train_idx, dtype=np.int64)
    test_idx = np.asarray(test_idx, dtype=np.int64)
    Y = ridge_targets(values, period)
    train_mean = 0.0
    if period == 0:
        train_mean = float(Y[train_idx, 0].mean())
        Y = Y - train_mean
    alpha = lam * len(train_idx)
    Xtr = X[train_idx]
    w = ridge_sklearn(Xtr, Y[train_idx], alpha)
    w_dual = ridge_dual(Xtr, Y[train_idx], alpha)
    outputs = X[test_idx] @ w
    return dict(
        weights=w,
        weights_dual=w_dual,
        outputs=outputs,
        pred=ridge_decode_outputs(outputs, period, train_mean),
        train_mean=train_mean,
        alpha=float(alpha),
        dual_max_abs_diff=float(np.max(np.abs(w - w_dual))),
    )


# --------------------------------------------------------------------------------------
# B. Von Mises decoder
# --------------------------------------------------------------------------------------


def vonmises_targets(stimuli, period=360.0, n_basis=N_VONMISES_BASIS):
    """(n, n_basis) targets exp((cos(2 pi (theta - theta_j)/P) - 1)/sigma), theta_j = j P/n_basis,
    z-scored across the basis for each trial (ddof 0). theta = stimuli mod P."""
    theta = wrap_angle(stimuli, period)
    centres = np.arange(n_basis) * period / n_basis
    phase = 2.0 * np.pi * (theta[:, None] - centres[None, :]) / period
    y = np.exp((np.cos(phase) - 1.0) / sigma_for_period(period))
    return zscore_rows(y)


def circular_distance(a, b, n):
    """min(|a - b|, n - |a - b|) elementwise (broadcasting), in basis steps."""
    d = np.abs(as_f64(a) - as_f64(b))
    return np.minimum(d, n - d)


def upsampling_matrix(n_basis=N_VONMISES_BASIS, upfactor=VONMISES_UPSAMPLE, sig=1.0):
    """Kup = Kyx @ inv(Kxx), shape (n_basis * upfactor, n_basis).

    Fine points x_k = k / upfactor (k = 0 .. n_basis*upfactor - 1) and basis points j, in
    basis steps; Gaussian kernel exp(-d^2 / (2 sig^2)) of the circular distance d.
    """
    xs = np.arange(n_basis, dtype=np.float64)
    ys = np.arange(n_basis * upfactor, dtype=np.float64) / upfactor
    kxx = np.exp(-circular_distance(xs[:, None], xs[None, :], n_basis) ** 2 / (2 * sig**2))
    kyx = np.exp(-circular_distance(ys[:, None], xs[None, :], n_basis) ** 2 / (2 * sig**2))
    return kyx @ np.linalg.inv(kxx)


def vonmises_decode_outputs(outputs, period=360.0, upfactor=VONMISES_UPSAMPLE):
    """Decode (n, n_basis) outputs: upsample with Kup, argmax, angle = argmax/(n_basis*up)*P.

    Returns (pred angles (n,), argmax indices int64 (n,)). Ties go to the first index."""
    outputs = as_f64(outputs)
    n_basis = outputs.shape[1]
    up = outputs @ upsampling_matrix(n_basis, upfactor).T  # (n, n_basis*upfactor)
    k = np.argmax(up, axis=1).astype(np.int64)
    return k / (n_basis * upfactor) * period, k


def vonmises(resp, stimuli, train_idx, test_idx, period=360.0, lam=1.0,
             n_basis=N_VONMISES_BASIS):
    """Von Mises decoder (DESIGN.md B). X = resp as given, alpha = lam * n_train (lam 1).

    Returns a dict: weights (n_neurons, 48) [sklearn Ridge], outputs (n_test, 48),
    argmax (n_test,) int64 index into the 4800 fine points, pred (n_test,) angles in [0, P),
    alpha, dual_max_abs_diff.
    """
    X = as_f64(resp)
    train_idx = np.asarray(train_idx, dtype=np.int64)
    test_idx = np.asarray(test_idx, dtype=np.int64)
    Y = vonmises_targets(as_f64(stimuli)[train_idx], period, n_basis)
    alpha = lam * len(train_idx)
    w = ridge_sklearn(X[train_idx], Y, alpha)
    w_dual = ridge_dual(X[train_idx], Y, alpha)
    outputs = X[test_idx] @ w
    pred, k = vonmises_decode_outputs(outputs, period)
    return dict(weights=w, outputs=outputs, argmax=k, pred=pred, alpha=float(alpha),
                dual_max_abs_diff=float(np.max(np.abs(w - w_dual))))


# --------------------------------------------------------------------------------------
# C. Discrimination threshold
# --------------------------------------------------------------------------------------


def reference_angles(period=360.0, n_ref=N_REFERENCES):
    """theta_j = j * P / n_ref, j = 0 .. n_ref-1."""
    return np.arange(n_ref) * period / n_ref


def discrimination_targets(stimuli, period=360.0, n_ref=N_REFERENCES):
    """(n, n_ref): exp(cos(phi - delta)/sigma) - exp(cos(phi + delta)/sigma),
    phi = 2 pi (theta - theta_j)/P, delta = pi/32, sigma = 0.1*360/P; z-scored across the
    references per trial (ddof 0). theta = stimuli mod P."""
    theta = wrap_angle(stimuli, period)
    phi = 2.0 * np.pi * (theta[:, None] - reference_angles(period, n_ref)[None, :]) / period
    delta = np.pi / 32
    sigma = sigma_for_period(period)
    y = np.exp(np.cos(phi - delta) / sigma) - np.exp(np.cos(phi + delta) / sigma)
    return zscore_rows(y)


def psychometric_counts(outputs, test_stimuli, period=360.0, d_grid=D_GRID):
    """Bin the (test trial, reference) choices by Delta = theta - theta_j in (-P/2, P/2].

    outputs: (n_ref, n_test) decoder outputs; choice = output > 0.
    A pair falls in bin d when d - 0.5 < Delta < d + 0.5 (open). Pairs exactly on a bin edge
    (Delta = d +- 0.5 for some d in the grid) are in no bin; they are counted in n_edge.
    Returns (counts int64 (len(d_grid),), positives int64, n_edge int, delta (n_ref, n_test)).
    """
    outputs = as_f64(outputs)
    n_ref = outputs.shape[0]
    theta = wrap_angle(test_stimuli, period)
    delta = signed_difference(theta[None, :], reference_angles(period, n_ref)[:, None], period)
    choice = outputs > 0
    d_grid = np.asarray(d_grid)
    counts = np.zeros(len(d_grid), dtype=np.int64)
    positives = np.zeros(len(d_grid), dtype=np.int64)
    for i, d in enumerate(d_grid):
        inside = (delta > d - 0.5) & (delta < d + 0.5)
        counts[i] = int(inside.sum())
        positives[i] = int((inside & choice).sum())
    edges = np.concatenate([d_grid - 0.5, d_grid + 0.5])
    n_edge = int(np.isin(delta, np.unique(edges)).sum())
    return counts, positives, n_edge, delta


def logistic(d, beta):
    """Psychometric function f(d) = 1 / (1 + exp(-d / beta))."""
    return 1.0 / (1.0 + np.exp(-d / beta))


def symmetrise(p):
    """P_sym = (P + 1 - P[::-1]) / 2 over a grid symmetric about 0."""
    p = as_f64(p)
    return (p + 1.0 - p[::-1]) / 2.0


def fit_threshold(d, p_sym, beta0=LOGISTIC_BETA0):
    """Least-squares logistic fit with scipy.optimize.curve_fit from beta0 (default method,
    Levenberg-Marquardt, default tolerances). Returns (beta, threshold = beta * ln 3)."""
    with np.errstate(over="ignore"):
        par, _ = scipy.optimize.curve_fit(logistic, as_f64(d), as_f64(p_sym),
                                          p0=np.array([beta0], dtype=np.float64))
    beta = float(par[0])
    return beta, beta * math.log(3.0)


def psychometric_curve(outputs, test_stimuli, period=360.0, d_grid=D_GRID):
    """From decoder outputs (n_ref, n_test) to the fitted threshold (DESIGN.md C.4-C.6).

    Returns a dict: counts, positives (over the full d_grid), p_full (positives/counts, NaN
    where a bin is empty), d_used (int64: the grid after dropping empty bins together with
    their mirrors), p_raw (P on d_used, before symmetrising), p_sym, n_edge, beta, threshold.
    """
    d_grid = np.asarray(d_grid, dtype=np.int64)
    counts, positives, n_edge, _ = psychometric_counts(outputs, test_stimuli, period, d_grid)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_full = np.where(counts > 0, positives / np.maximum(counts, 1), np.nan)
    if not np.array_equal(d_grid, -d_grid[::-1]):
        raise ValueError("d_grid must be symmetric about 0")
    keep = (counts > 0) & (counts[::-1] > 0)
    d_used = d_grid[keep]
    p_raw = p_full[keep]
    p_sym = symmetrise(p_raw)
    beta, threshold = fit_threshold(d_used, p_sym)
    return dict(counts=counts, positives=positives, p_full=p_full, d_used=d_used,
                p_raw=p_raw, p_sym=p_sym, n_edge=n_edge, beta=beta, threshold=threshold)


def discriminate(resp, stimuli, period=360.0, lam=1.0, n_ref=N_REFERENCES, dtype=np.float64,
                 diagnostics=True):
    """The paper's linear discrimination threshold (DESIGN.md C.1-C.6).

    1. z-score each neuron across all trials (std ddof 0, + 1e-6);
    2. test = trials 0, 4, 8, ..., train = the rest;
    3. one dual-form ridge fit (n_train x n_train Gram), alpha = lam * n_train, onto the 32
       z-scored difference-of-von-Mises targets;
    4-6. choices, psychometric curve, symmetrise, logistic fit, threshold = beta ln 3.

    dtype: float64 for the reference; float32 only to measure what single precision changes
    (targets, z-scoring, Gram, solve and products all in that dtype).
    diagnostics: also return z_mean and z_std (two more passes over the data; the neurons
    curve and the benchmark skip them).

    Returns the dict of psychometric_curve plus: outputs (n_ref, n_test), weights
    (n_neurons, n_ref), train_idx, test_idx, neuron_mean, neuron_std (of the input, ddof 0),
    z_mean, z_std (of the z-scored responses), alpha.
    """
    stimuli = as_f64(stimuli)
    train_idx, test_idx = every_fourth_split(len(stimuli))
    y = discrimination_targets(stimuli[train_idx], period, n_ref)
    alpha = lam * len(train_idx)
    if dtype == np.float64:
        z, mean, std = zscore_neurons(resp)
        xtr = z[train_idx]
        a = ridge_dual_coefficients(xtr, y, alpha)
        w = xtr.T @ a
        outputs = (z[test_idx] @ w).T
    else:
        z = np.array(resp, dtype=dtype)
        mean = z.mean(axis=0)
        std = z.std(axis=0)
        z -= mean
        z /= std + dtype(ZSCORE_EPS)
        xtr = z[train_idx]
        gram = xtr @ xtr.T
        gram[np.diag_indices_from(gram)] += dtype(alpha)
        a = scipy.linalg.solve(gram, y.astype(dtype), assume_a="pos")
        w = xtr.T @ a
        outputs = (z[test_idx] @ w).T
    res = psychometric_curve(outputs, stimuli[test_idx], period)
    res.update(outputs=as_f64(outputs), weights=as_f64(w), train_idx=train_idx,
               test_idx=test_idx, neuron_mean=as_f64(mean), neuron_std=as_f64(std),
               alpha=float(alpha))
    if diagnostics:
        res.update(z_mean=as_f64(z.mean(axis=0)), z_std=as_f64(z.std(axis=0)))
    return res


def neurons_curve_sizes(n_neurons, n_steps=21):
    """floor(N / 2^(k/2)) for k = 0 .. n_steps-1, keeping sizes >= 1 (duplicates kept)."""
    sizes = [int(math.floor(n_neurons / 2.0 ** (k / 2.0))) for k in range(n_steps)]
    return np.array([n for n in sizes if n >= 1], dtype=np.int64)


def neurons_curve(resp, stimuli, perm, period=360.0, lam=1.0, sizes=None):
    """Threshold against population size (DESIGN.md C.7), naively: one discriminate() per size
    on the first n neurons of perm (nested subsets). Returns (sizes int64, thresholds float64).
    A fit that fails (curve_fit RuntimeError) gives NaN."""
    perm = np.asarray(perm, dtype=np.int64)
    if sizes is None:
        sizes = neurons_curve_sizes(len(perm))
    resp = np.asarray(resp)
    thresholds = np.empty(len(sizes), dtype=np.float64)
    for i, n in enumerate(sizes):
        try:
            thresholds[i] = discriminate(resp[:, perm[:n]], stimuli, period, lam,
                                         diagnostics=False)["threshold"]
        except RuntimeError:
            thresholds[i] = np.nan
    return np.asarray(sizes, dtype=np.int64), thresholds
