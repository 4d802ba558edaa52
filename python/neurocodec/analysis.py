"""The tutorial's analyses, computed by the same C++ code as the CLI's analysis.npz, and the
paper's discrimination threshold as `neurocodec discriminate` computes it."""
import numpy as np

from . import _core
from ._arrays import as_angles, as_samples
from ._fitted import seed_option, wrap_error


def preferred_orientation(resp, stimuli, sigma=5.0):
    """Each neuron's preferred orientation in degrees and the order that sorts neurons by it.

    Rows are sorted by angle and smoothed along them (Gaussian, `sigma` rows); the argmax of
    each neuron's curve is its preference. Returns (degrees (n_neurons,), order (n_neurons,)).
    """
    resp, stimuli = as_samples(resp, stimuli, "resp", "stimuli")
    r = _core.preferred_orientation(resp, stimuli, float(sigma))
    return r["degrees"], r["order"]


def stimulus_order(stimuli):
    """Rows sorted by angle (stable), as the tutorial's hidden-activity figure orders them."""
    return np.argsort(as_angles(stimuli, "stimuli"), kind="stable")


def decoding_errors(decoded, truth, period=360.0):
    """The CLI's error metrics: test_mse, median/mean abs error, median/mean circular error
    (the error wrapped to (-P/2, P/2]) and r2, in degrees (the variable's units for P = 0)."""
    truth = as_angles(truth, "truth", period=period)
    decoded = np.asarray(decoded, dtype=np.float64).reshape(-1)
    return _core.decoding_errors(np.ascontiguousarray(decoded), truth, float(period))


def circular_error(decoded, truth, period=360.0):
    """Decoded - true angle wrapped to (-P/2, P/2] degrees, per stimulus."""
    return wrap_error(np.asarray(decoded, dtype=np.float64) - np.asarray(truth, dtype=np.float64), float(period))


def discrimination_threshold(resp, stimuli, period=360.0, lambda_=1.0, neurons_curve=False, seed=1):
    """The paper's linear discrimination threshold (Stringer et al. 2021), as `neurocodec
    discriminate` computes it: single trials resp (n_trials, n_neurons), at least 64, and their
    angles in degrees [0, 360) (taken mod `period`).

    Every 4th trial is a test trial; one ridge fit (alpha = lambda_ * n_train) onto 32
    difference-of-von-Mises targets gives the choices, whose psychometric curve is fitted by a
    logistic; the threshold is beta * ln 3. Returns a dict: threshold_deg, beta, n_train,
    n_test, n_edge_pairs, the psychometric arrays (d, counts, positives, p, d_used, p_raw,
    p_sym, fitted), outputs (32, n_test), train_idx, test_idx, seconds, and with
    neurons_curve=True "curve": {n_neurons, threshold_deg, beta, permutation} over nested
    random subsets of neurons (seeded by `seed`).
    """
    resp, stimuli = as_samples(resp, stimuli, "resp", "stimuli")
    return _core.discrimination_threshold(resp, stimuli, float(period), float(lambda_), bool(neurons_curve),
                                          seed_option(seed))
