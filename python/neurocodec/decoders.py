"""The tutorial's decoders as scikit-learn estimators over the CLI's fits (runs::fit_decoder for
the MLPs, runs::fit_linear for ridge and von Mises).

Targets are always angles in degrees, [0, 360), taken mod `period` (P) as `decode --period P`
does; P = 0 (a non-circular variable: regression and ridge only) takes any finite value. The
classifier bins them into the tutorial's `classes` equal bins of [0, P) inside fit (class c
covers [c, c+1) * P/C) and predicts the centre of the winning bin, so its `classes_` are those
centres whatever subset of angles a fold holds.

Bits: with eval_set=(X_test, angles_test) an MLP fit sees exactly the rows `neurocodec decode
--split` gives it (train rows, then test rows), and without `init` it draws its initial weights
from Rng(seed) as `decode --split FILE --seed S` does, so both give the same losses and weights.
A linear decoder fitted on the train rows gives `decode --model ridge --split FILE`'s weights.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._arrays import as_angles, as_samples
from ._fitted import (as_fitted_input, forget_fit, negative_error, seed_option, set_trained, state_dict_arrays,
                      state_dict_copy)


class _MLPDecoderBase(BaseEstimator):
    def _options(self):
        """The parameters as `decode`'s options (_core.decode_options reads them)."""
        return {"model": self._model_name(), "hidden": int(self.hidden), "classes": int(getattr(self, "classes", 2)),
                "iters": int(self.iters), "lr": float(self.lr), "l1": float(self.l1), "l2": float(self.l2),
                "seed": seed_option(self.seed), "period": float(self.period)}

    def fit(self, X, y, eval_set=None):
        """Trains on (X, y); eval_set=(X_test, y_test) records the test loss per iteration."""
        options = self._options()
        _core.validate_decode_options(options)
        X, y = as_samples(X, y, "X", "angles", self.period)
        if eval_set is not None:
            X_test, y_test = as_samples(*eval_set, "X_test", "angles_test", self.period)
        else:
            # The library's loop evaluates a test set after every step; one training row keeps
            # that cost negligible and changes no training arithmetic. Its curve is not kept.
            X_test, y_test = X[:1], y[:1]
        init = None if self.init is None else state_dict_arrays(self.init)
        forget_fit(self)
        r = _core.fit_decoder(X, y, X_test, y_test, options, init, bool(self.verbose))
        set_trained(self, r, eval_set is not None)
        self.n_features_in_ = X.shape[1]
        self._set_classes()
        return self

    def _set_classes(self):
        pass

    def _forward(self, X):
        X = as_fitted_input(self, X, "state_dict_")
        return _core.decoder_forward(X, self.state_dict_, self._options())

    def hidden_activity(self, X):
        """relu(X W_in^T + b_in): (n_stimuli, hidden)."""
        return self._forward(X)[0]

    def state_dict(self):
        """The weights under PyTorch's names, as float32 arrays (torch.from_numpy loads them)."""
        return state_dict_copy(self)

    def load_state_dict(self, state_dict):
        """Sets the weights (e.g. from a PyTorch model); the estimator is then fitted."""
        sd = state_dict_arrays(state_dict)
        w = sd.get("in_layer.weight")
        if w is None or w.ndim != 2:
            raise ValueError("state_dict: missing key 'in_layer.weight' with shape (hidden, n_neurons)")
        n = getattr(self, "n_features_in_", w.shape[1])
        _core.check_decoder_state_dict(sd, self._options(), int(n))
        self.state_dict_ = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}
        self.n_features_in_ = int(n)
        self._set_classes()
        return self

    def _more_tags(self):
        # Targets are angles in [0, 360): scikit-learn's checks then shift their random targets
        # to positive values instead of feeding negative ones.
        return {"poor_score": True, "requires_positive_y": True}


class MLPClassifierDecoder(ClassifierMixin, _MLPDecoderBase):
    """The tutorial's DeepNetSoftmax: N -> hidden (ReLU) -> classes, NLL on the angle's class."""

    def __init__(self, hidden=20, classes=20, iters=1000, lr=0.1, l1=0.0, l2=0.0, seed=1, init=None,
                 verbose=False, period=360.0):
        self.hidden = hidden
        self.classes = classes
        self.iters = iters
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.seed = seed
        self.init = init
        self.verbose = verbose
        self.period = period

    def _model_name(self):
        return "classification"

    def _set_classes(self):
        # The centres of the tutorial's bins, the values predict() returns.
        self.classes_ = (np.arange(int(self.classes)) + 0.5) * float(self.period) / int(self.classes)

    def angle_classes(self, angles):
        """The class index of each angle (the tutorial's stimulus_class)."""
        return _core.stimulus_classes(as_angles(angles, period=self.period), int(self.classes), float(self.period))

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
    """An MLP N -> hidden (ReLU) -> outputs that decodes a continuous angle.

    model="regression": the tutorial's DeepNetReLU, one output, MSE against the angle in degrees;
    `score` = -MSE. model="circular": two outputs, MSE against (cos, sin) of 2*pi*angle/P,
    decoded with atan2 into [0, P); `score` = -(mean circular error in degrees).
    """

    def __init__(self, hidden=10, iters=50, lr=1e-4, l1=0.0, l2=0.0, seed=1, init=None, verbose=False,
                 model="regression", period=360.0):
        self.hidden = hidden
        self.iters = iters
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.seed = seed
        self.init = init
        self.verbose = verbose
        self.model = model
        self.period = period

    def _model_name(self):
        if self.model not in ("regression", "circular"):
            raise ValueError(f"--model: expected regression or circular for MLPRegressorDecoder, got {self.model}")
        return self.model

    def predict(self, X):
        """Decoded angles in degrees."""
        out = self._forward(X)[1]
        if self.model == "circular":
            return _core.angles_from_unit(out.astype(np.float64), float(self.period))
        return out[:, 0].astype(np.float64)

    def score(self, X, y, sample_weight=None):
        """-MSE in degrees^2 (regression) or -(mean circular error) in degrees (circular): higher
        is better, as scikit-learn expects."""
        y = as_angles(y, "angles", period=self.period)
        return negative_error(self.predict(X), y, float(self.period), self.model == "circular", sample_weight)


# The CLI's defaults per model (`decode --model M`); parameters given to MLPDecoder override them.
_MLP_DEFAULTS = {
    "classification": (MLPClassifierDecoder, {}),
    "regression": (MLPRegressorDecoder, {}),
    "circular": (MLPRegressorDecoder, {"model": "circular", "hidden": 20, "iters": 1000, "lr": 0.1}),
}


def MLPDecoder(model="classification", **params):
    """The tutorial's decoder: an MLPClassifierDecoder or MLPRegressorDecoder by `model`.

    Parameters not given keep the model's CLI defaults (classification: hidden=20, classes=20,
    iters=1000, lr=0.1; regression: hidden=10, iters=50, lr=1e-4; circular: hidden=20,
    iters=1000, lr=0.1).
    """
    if model not in _MLP_DEFAULTS:
        raise ValueError(f"--model: expected classification, regression or circular, got {model}")
    cls, defaults = _MLP_DEFAULTS[model]
    return cls(**{**defaults, **params})


class _LinearDecoderBase(RegressorMixin, BaseEstimator):
    """A closed-form linear decoder (no intercept; alpha = lambda_ * n_train) over fit_linear."""
    _model = None  # "ridge" or "vonmises"

    def __init__(self, lambda_=1.0, period=360.0):
        self.lambda_ = lambda_
        self.period = period

    def _options(self):
        return {"model": self._model, "lambda_": float(self.lambda_), "period": float(self.period)}

    def fit(self, X, y):
        """Fits the weights on (X, angles) in one solve."""
        options = self._options()
        _core.validate_decode_options(options)
        X, y = as_samples(X, y, "X", "angles", self.period)
        forget_fit(self)
        r = _core.fit_linear(X, y, options)
        self.coef_ = r["weight"]
        self.intercept_ = r["bias"]
        self.fit_seconds_ = r["seconds"]
        self.n_features_in_ = X.shape[1]
        return self

    def _outputs_and_angles(self, X):
        X = as_fitted_input(self, X, "coef_")
        return _core.linear_predict(X, self.coef_, self.intercept_, self._options())

    def outputs(self, X):
        """The raw outputs X coef_^T + intercept_, (n, T), in double."""
        return self._outputs_and_angles(X)[0]

    def predict(self, X):
        """Decoded angles in degrees (values, for P = 0)."""
        return self._outputs_and_angles(X)[1]

    def score(self, X, y, sample_weight=None):
        """-(mean circular error) in degrees for P > 0, -MSE for P = 0."""
        y = as_angles(y, "angles", period=self.period)
        return negative_error(self.predict(X), y, float(self.period), float(self.period) > 0, sample_weight)

    def state_dict(self):
        """nn.Linear's state_dict: linear.weight (T, N) and linear.bias (T)."""
        check_is_fitted(self, "coef_")
        return {"linear.weight": self.coef_.copy(), "linear.bias": self.intercept_.copy()}

    def _more_tags(self):
        return {"poor_score": True, "requires_positive_y": True}


class RidgeDecoder(_LinearDecoderBase):
    """Ridge onto (cos, sin) of 2*pi*angle/P, decoded with atan2 (for P = 0: onto the value minus
    its training mean, added back at prediction)."""
    _model = "ridge"


class VonMisesDecoder(_LinearDecoderBase):
    """Ridge onto 48 von Mises bumps (z-scored per trial), decoded by circular Gaussian-kernel
    upsampling (100 points per basis step) and argmax. P > 0 only."""
    _model = "vonmises"
