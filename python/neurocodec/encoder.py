"""The tutorial's convolutional encoding model (ConvFC) over the CLI's fit (runs::fit_encoder)."""
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._arrays import as_angles, as_matrix
from .decoders import _forget_fit


class ConvEncoder(BaseEstimator):
    """Gratings -> Conv2d(1, channels, kernel) -> ReLU -> Linear -> every neuron's response.

    fit(angles, responses) draws the tutorial's gratings for the angles (its 60 orientations
    when there are 60 rows, as `encode` does) and fits all neurons at once. With
    eval_set=responses_test (the other half of the trials, same stimuli) it records the test
    loss per iteration and sets the per-neuron test_corr_, noise_ceiling_ and
    normalized_corr_.
    """

    def __init__(self, channels=6, kernel=7, iters=200, lr=2.0, momentum=0.9, l2=5e-4, l1=1e-6, seed=1,
                 verbose=False):
        self.channels = channels
        self.kernel = kernel
        self.iters = iters
        self.lr = lr
        self.momentum = momentum
        self.l2 = l2
        self.l1 = l1
        self.seed = seed
        self.verbose = verbose

    def fit(self, angles, responses, eval_set=None):
        if np.ndim(angles) >= 3:
            raise NotImplementedError("fit(images, responses): the C++ fit draws its own gratings from angles; "
                                      "give the angles in degrees")
        resp = as_matrix(responses, "responses")
        angles = as_angles(angles, "angles", n=resp.shape[0])
        resp_test = resp if eval_set is None else as_matrix(eval_set, "responses_test")
        _forget_fit(self)
        r = _core.fit_encoder(resp, resp_test, angles, int(self.channels), int(self.kernel), int(self.iters),
                              float(self.lr), float(self.momentum), float(self.l2), float(self.l1), int(self.seed),
                              bool(self.verbose))
        if r["diverged"]:
            raise FloatingPointError(r["message"])
        self.state_dict_ = r["state_dict"]
        self.train_loss_ = np.asarray(r["train_loss"])
        self.test_loss_ = np.asarray(r["test_loss"]) if eval_set is not None else None
        self.fit_seconds_ = r["seconds"]
        self.images_ = r["images"]
        self.conv_filters_init_ = r["conv_init"].reshape(int(self.channels), int(self.kernel), int(self.kernel))
        self.n_features_in_ = resp.shape[1]
        if eval_set is not None:
            f = r["fit"]
            self.test_corr_ = f["test_corr"]
            self.noise_ceiling_ = f["noise_ceiling"]
            self.normalized_corr_ = f["normalized_corr"]
            self.split_half_corr_ = f["split_half_corr"]
            self.included_ = f["included"].astype(bool)
            self.median_test_corr_ = f["median_test_corr"]
            self.median_noise_ceiling_ = f["median_noise_ceiling"]
            self.median_normalized_corr_ = f["median_normalized_corr"]
        return self

    @property
    def conv_filters_(self):
        """The trained filters, (channels, kernel, kernel)."""
        check_is_fitted(self, "state_dict_")
        return self.state_dict_["conv.weight"][:, 0]

    def predict(self, angles):
        """Predicted responses (n, n_neurons) to the gratings at these angles."""
        check_is_fitted(self, "state_dict_")
        angles = as_angles(angles, "angles")
        return _core.encoder_predict(angles, self.state_dict_, int(self.channels), int(self.kernel),
                                     int(self.n_features_in_))

    def state_dict(self):
        check_is_fitted(self, "state_dict_")
        return {k: v.copy() for k, v in self.state_dict_.items()}

    def score(self, angles, responses):
        """Median over neurons of the correlation between predicted and given responses."""
        pred = self.predict(angles)
        resp = as_matrix(responses, "responses")
        pc = pred - pred.mean(0)
        rc = resp - resp.mean(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = (pc * rc).sum(0) / np.sqrt((pc ** 2).sum(0) * (rc ** 2).sum(0))
        return float(np.nanmedian(corr))
