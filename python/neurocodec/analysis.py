"""The tutorial's analyses, computed by the same C++ code as the CLI's analysis.npz."""
import numpy as np

from . import _core
from ._arrays import as_angles, as_matrix


def preferred_orientation(resp, stimuli, sigma=5.0):
    """Each neuron's preferred orientation in degrees and the order that sorts neurons by it.

    Rows are sorted by angle and smoothed along them (Gaussian, `sigma` rows); the argmax of
    each neuron's curve is its preference. Returns (degrees (n_neurons,), order (n_neurons,)).
    """
    resp = as_matrix(resp, "resp")
    stimuli = as_angles(stimuli, "stimuli", n=resp.shape[0])
    r = _core.preferred_orientation(resp, stimuli, float(sigma))
    return r["degrees"], r["order"]


def stimulus_order(stimuli):
    """Rows sorted by angle (stable), as the tutorial's hidden-activity figure orders them."""
    return np.argsort(as_angles(stimuli, "stimuli"), kind="stable")


def decoding_errors(decoded, truth):
    """The CLI's error metrics: test_mse, median/mean abs error and median/mean circular error
    (the error wrapped to (-180, 180]), in degrees."""
    truth = as_angles(truth, "truth")
    decoded = np.asarray(decoded, dtype=np.float64).reshape(-1)
    return _core.decoding_errors(np.ascontiguousarray(decoded), truth)


def circular_error(decoded, truth):
    """Decoded - true angle wrapped to (-180, 180] degrees, per stimulus."""
    e = np.asarray(decoded, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    return e - 360.0 * np.ceil((e - 180.0) / 360.0)
