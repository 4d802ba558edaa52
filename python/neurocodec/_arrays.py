"""Input checks and conversions shared by the estimators.

The messages follow the CLI's (src/data/dataset.cpp: "<what>: <problem>; expected ..."), so a
user sees the same words in Python and at the command line. Problems of kind (object, complex,
bool, string dtypes) raise TypeError; problems of value or shape raise ValueError.

Arrays are converted at most once: a float32 C-contiguous array passes through untouched (the
C++ side reads it where it lies), any other dtype or layout is converted to float32 C order here.
"""
import numpy as np


def _shape_string(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_numeric(a, what, noun="a numeric array"):
    if a.dtype.kind not in "fiu":
        raise TypeError(f"{what}: expected {noun}, got dtype {a.dtype}")


def _check_finite(a, what):
    bad = ~np.isfinite(a)
    if bad.any():
        idx = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), a.shape)
        value = a[idx]
        shown = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
        where = f"row {idx[0]}, column {idx[1]}" if a.ndim == 2 else f"index {idx[0]}"
        raise ValueError(f"{what}: non-finite value ({shown}) at {where}; expected finite values")


def as_matrix(x, what="X"):
    """(n_stimuli, n_neurons) responses as float32 C-contiguous, checked as the CLI checks `resp`."""
    a = np.asarray(x)
    _check_numeric(a, what)
    if a.ndim != 2:
        raise ValueError(f"{what}: expected a 2-D array (n_stimuli x n_neurons), got shape {_shape_string(a.shape)}")
    if a.shape[0] == 0 or a.shape[1] == 0:
        # The second sentence is scikit-learn's wording, which its estimator checks look for.
        raise ValueError(
            f"{what}: empty array, shape {_shape_string(a.shape)}: {a.shape[1]} feature(s) "
            f"(shape={_shape_string(a.shape)}) while a minimum of 1 is required."
            if a.shape[1] == 0 else
            f"{what}: empty array, shape {_shape_string(a.shape)}: 0 samples while a minimum of 1 is required.")
    a = np.ascontiguousarray(a, dtype=np.float32)
    _check_finite(a, what)
    return a


def as_angles(y, what="angles", n=None, period=360.0):
    """(n,) or (n, 1) angles in degrees as float32, checked as the CLI checks `stimuli`.

    For a period P > 0 the angles must lie in [0, 360) and are then taken mod P (as the CLI's
    loader does, in double, so the same float32 values result); for P = 0 (not circular) any
    finite value is accepted.
    """
    a = np.asarray(y)
    _check_numeric(a, what, "numeric angles")
    if not (a.ndim == 1 or (a.ndim == 2 and a.shape[1] == 1)):
        raise ValueError(f"{what}: expected shape (n,) or (n, 1), got {_shape_string(a.shape)}")
    if a.shape[0] == 0:
        raise ValueError(f"{what}: empty array")
    a = np.ascontiguousarray(a.reshape(-1), dtype=np.float32)
    if n is not None and a.shape[0] != n:
        raise ValueError(f"X has {n} rows but {what} has {a.shape[0]} entries; expected one angle per row")
    period = float(period)
    if period == 0:
        _check_finite(a, what)
        return a
    bad = np.flatnonzero(~(np.isfinite(a) & (a >= 0) & (a < 360)))
    if bad.size:
        i, v = int(bad[0]), a[bad[0]]
        raise ValueError(f"{what}: angle {v:g} at index {i} is outside [0, 360); expected degrees in [0, 360)")
    if period > 0 and period != 360:
        a = np.fmod(a.astype(np.float64), period).astype(np.float32)
    return a


def as_samples(X, y, what_x="X", what_y="angles", period=360.0):
    """(X, angles): responses (n, N) and one angle per row, each checked as above."""
    X = as_matrix(X, what_x)
    return X, as_angles(y, what_y, n=X.shape[0], period=period)


def as_images(images, what="images", n=None):
    """(n, H, W) or (n, 1, H, W) images as (n, H, W) float32 C-contiguous, finite."""
    a = np.asarray(images)
    _check_numeric(a, what)
    if not (a.ndim == 3 or (a.ndim == 4 and a.shape[1] == 1)):
        raise ValueError(f"{what}: expected shape (n, H, W) or (n, 1, H, W), got {_shape_string(a.shape)}")
    if a.size == 0:
        raise ValueError(f"{what}: empty array, shape {_shape_string(a.shape)}")
    if n is not None and a.shape[0] != n:
        raise ValueError(f"responses has {n} rows but {what} has {a.shape[0]} images; expected one image per row")
    a = np.ascontiguousarray(a.reshape(a.shape[0], a.shape[-2], a.shape[-1]), dtype=np.float32)
    bad = ~np.isfinite(a)
    if bad.any():
        idx = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), a.shape)
        raise ValueError(f"{what}: non-finite value at image {idx[0]}, pixel ({idx[1]}, {idx[2]}); "
                         "expected finite values")
    return a
