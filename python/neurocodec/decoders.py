"""The tutorial's MLP decoders as scikit-learn estimators over the CLI's fit (runs::fit_decoder).

Targets are always angles in degrees, [0, 360). The classifier bins them into the tutorial's
`classes` equal bins inside fit (class c covers [c, c+1) * 360/C) and predicts the centre of the
winning bin, so its `classes_` are those centres whatever subset of angles a fold holds.

Bits: with eval_set=(X_test, angles_test) the fit sees exactly the rows `neurocodec decode
--split` gives it (train rows, then test rows), and without `init` it draws its initial weights
from Rng(seed) as `decode --split FILE --seed S` does, so both give the same losses and weights.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._arrays import as_angles, as_matrix

_PARAM_NAMES = ("in_layer.weight", "in_layer.bias", "out_layer.weight", "out_layer.bias")


class _MLPDecoderBase(BaseEstimator):
    _model = None  # "classification" or "regression"

    def _outputs(self):
        return 1 if self._model == "regression" else int(self.classes)

    def _check_options(self):
        _core.validate_decoder_options(self._model, int(self.hidden), int(getattr(self, "classes", 2)),
                                       int(self.iters), float(self.lr), float(self.l1), float(self.l2))
        if int(self.seed) < 0:
            raise ValueError(f"--seed: expected an integer >= 0, got {self.seed}")

    def fit(self, X, y, eval_set=None):
        """Trains on (X, y); eval_set=(X_test, y_test) records the test loss per iteration."""
        self._check_options()
        X = as_matrix(X, "X")
        y = as_angles(y, "angles", n=X.shape[0])
        if eval_set is not None:
            X_test, y_test = eval_set
            X_test = as_matrix(X_test, "X_test")
            y_test = as_angles(y_test, "angles_test", n=X_test.shape[0])
        else:
            # The library's loop evaluates a test set after every step; one training row keeps
            # that cost negligible and changes no training arithmetic. Its curve is not kept.
            X_test, y_test = X[:1], y[:1]
        init = None if self.init is None else _state_dict_arrays(self.init)
        _forget_fit(self)  # a refit that is interrupted or fails leaves no stale model behind
        r = _core.fit_decoder(X, y, X_test, y_test, self._model, int(self.hidden), int(getattr(self, "classes", 2)),
                              int(self.iters), float(self.lr), float(self.l1), float(self.l2), int(self.seed),
                              init, bool(self.verbose))
        if r["diverged"]:
            raise FloatingPointError(r["message"])
        # Fitted attributes only now: an interrupted or failed fit leaves the estimator unfitted.
        self.state_dict_ = r["state_dict"]
        self.train_loss_ = np.asarray(r["train_loss"])
        self.test_loss_ = np.asarray(r["test_loss"]) if eval_set is not None else None
        self.fit_seconds_ = r["seconds"]
        self.n_features_in_ = X.shape[1]
        self._set_classes()
        return self

    def _set_classes(self):
        pass

    def _forward(self, X):
        check_is_fitted(self, "state_dict_")
        X = as_matrix(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input")
        return _core.decoder_forward(X, self.state_dict_, self._model == "regression", int(self.hidden),
                                     self._outputs())

    def hidden_activity(self, X):
        """relu(X W_in^T + b_in): (n_stimuli, hidden)."""
        return self._forward(X)[0]

    def state_dict(self):
        """The weights under PyTorch's names, as float32 arrays (torch.from_numpy loads them)."""
        check_is_fitted(self, "state_dict_")
        return {k: v.copy() for k, v in self.state_dict_.items()}

    def load_state_dict(self, state_dict):
        """Sets the weights (e.g. from a PyTorch model); the estimator is then fitted."""
        sd = _state_dict_arrays(state_dict)
        w = sd.get("in_layer.weight")
        if w is None or w.ndim != 2:
            raise ValueError("state_dict: missing key 'in_layer.weight' with shape (hidden, n_neurons)")
        n = getattr(self, "n_features_in_", w.shape[1])
        _core.check_decoder_state_dict(sd, self._model == "regression", int(n), int(self.hidden), self._outputs())
        self.state_dict_ = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}
        self.n_features_in_ = int(n)
        self._set_classes()
        return self

    def _more_tags(self):
        # Targets are angles in [0, 360): scikit-learn's checks then shift their random targets
        # to positive values instead of feeding negative ones.
        return {"poor_score": True, "requires_positive_y": True}


def _forget_fit(est):
    for name in [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]:
        delattr(est, name)


def _state_dict_arrays(sd):
    """A state_dict of numpy arrays or torch tensors as {name: numpy array}."""
    if not hasattr(sd, "items"):
        raise TypeError(f"state_dict: expected a mapping of name -> array, got {type(sd).__name__}")
    out = {}
    for k, v in sd.items():
        if hasattr(v, "detach"):  # a torch tensor
            v = v.detach().cpu().numpy()
        out[str(k)] = np.asarray(v)
    return out


class MLPClassifierDecoder(ClassifierMixin, _MLPDecoderBase):
    """The tutorial's DeepNetSoftmax: N -> hidden (ReLU) -> classes, NLL on the angle's class."""
    _model = "classification"

    def __init__(self, hidden=20, classes=20, iters=1000, lr=0.1, l1=0.0, l2=0.0, seed=1, init=None,
                 verbose=False):
        self.hidden = hidden
        self.classes = classes
        self.iters = iters
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.seed = seed
        self.init = init
        self.verbose = verbose

    def _set_classes(self):
        # The centres of the tutorial's bins, the values predict() returns.
        self.classes_ = (np.arange(int(self.classes)) + 0.5) * 360.0 / int(self.classes)

    def angle_classes(self, angles):
        """The class index of each angle (the tutorial's stimulus_class)."""
        return _core.stimulus_classes(as_angles(angles), int(self.classes))

    def predict_log_proba(self, X):
        return self._forward(X)[1].astype(np.float64)

    def predict_proba(self, X):
        p = np.exp(self.predict_log_proba(X))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Decoded angles in degrees: the centre of the most probable class."""
        logp = self._forward(X)[1]
        return self.classes_[np.argmax(logp, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Fraction correct: the predicted class equals the class of the true angle."""
        predicted = np.argmax(self._forward(X)[1], axis=1)
        truth = self.angle_classes(y)
        return float(np.average(predicted == truth, weights=sample_weight))


class MLPRegressorDecoder(RegressorMixin, _MLPDecoderBase):
    """The tutorial's DeepNetReLU: N -> hidden (ReLU) -> 1, MSE against the angle in degrees."""
    _model = "regression"

    def __init__(self, hidden=10, iters=50, lr=1e-4, l1=0.0, l2=0.0, seed=1, init=None, verbose=False):
        self.hidden = hidden
        self.iters = iters
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.seed = seed
        self.init = init
        self.verbose = verbose

    def predict(self, X):
        """Decoded angles in degrees."""
        return self._forward(X)[1][:, 0].astype(np.float64)

    def score(self, X, y, sample_weight=None):
        """Negative mean squared error in degrees^2 (higher is better, as scikit-learn expects)."""
        y = as_angles(y, "angles")
        return -float(np.average((self.predict(X) - y) ** 2, weights=sample_weight))


def MLPDecoder(model="classification", **params):
    """The tutorial's decoder: an MLPClassifierDecoder or MLPRegressorDecoder by `model`.

    Parameters not given keep the model's tutorial defaults (classification: hidden=20,
    classes=20, iters=1000, lr=0.1; regression: hidden=10, iters=50, lr=1e-4).
    """
    if model == "classification":
        return MLPClassifierDecoder(**params)
    if model == "regression":
        return MLPRegressorDecoder(**params)
    if model == "circular":
        raise ValueError("--model circular: not in this build (it comes with the decoders issue)")
    raise ValueError(f"--model: expected classification or regression, got {model}")
