"""What every estimator here does around a C++ fit: forget the last fit first, take the
result's fitted attributes, copy weights out, read a state_dict of arrays or tensors."""
import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._arrays import as_matrix


def forget_fit(est):
    """Drops the fitted attributes (names ending in "_"), so that a refit that is interrupted or
    fails leaves no stale model behind. Parameters whose names end in "_" (lambda_) stay."""
    params = est.get_params(deep=False)
    for name in [k for k in vars(est) if k.endswith("_") and not k.startswith("_") and k not in params]:
        delattr(est, name)


def seed_option(seed):
    """The seed as an int, checked as the CLI checks --seed."""
    if int(seed) < 0:
        raise ValueError(f"--seed: expected an integer >= 0, got {seed}")
    return int(seed)


def set_trained(est, r, has_eval_set):
    """The fitted attributes of a trained fit (_core's fit_decoder / fit_encoder result), set
    only once it has succeeded: an interrupted or failed fit leaves the estimator unfitted."""
    if r["diverged"]:
        raise FloatingPointError(r["message"])
    est.state_dict_ = r["state_dict"]
    est.train_loss_ = np.asarray(r["train_loss"])
    est.test_loss_ = np.asarray(r["test_loss"]) if has_eval_set else None
    est.fit_seconds_ = r["seconds"]


def as_fitted_input(est, X, fitted_attribute):
    """X (n, N) for a fitted estimator: NotFittedError before fit, and N must be the fit's."""
    check_is_fitted(est, fitted_attribute)
    X = as_matrix(X, "X")
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
                         f"{est.n_features_in_} features as input")
    return X


def state_dict_copy(est):
    """The weights under PyTorch's names, as float32 arrays (torch.from_numpy loads them)."""
    check_is_fitted(est, "state_dict_")
    return {k: v.copy() for k, v in est.state_dict_.items()}


def state_dict_arrays(sd):
    """A state_dict of numpy arrays or torch tensors as {name: numpy array}."""
    if not hasattr(sd, "items"):
        raise TypeError(f"state_dict: expected a mapping of name -> array, got {type(sd).__name__}")
    out = {}
    for k, v in sd.items():
        if hasattr(v, "detach"):  # a torch tensor
            v = v.detach().cpu().numpy()
        out[str(k)] = np.asarray(v)
    return out


def negative_error(decoded, truth, period, circular, sample_weight=None):
    """A regressor's score: minus the mean circular error in degrees (|error| wrapped to
    (-P/2, P/2]) when `circular`, else minus the mean squared error."""
    e = np.asarray(decoded, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    if circular:
        return -float(np.average(np.abs(wrap_error(e, period)), weights=sample_weight))
    return -float(np.average(e ** 2, weights=sample_weight))


def wrap_error(e, period=360.0):
    """Errors wrapped to (-P/2, P/2] (the CLI's wrap_period); unchanged for P = 0."""
    e = np.asarray(e, dtype=np.float64)
    if period <= 0:
        return e
    w = np.fmod(e, period)
    w = np.where(w <= -0.5 * period, w + period, w)
    return np.where(w > 0.5 * period, w - period, w)
