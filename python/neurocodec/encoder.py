"""The tutorial's convolutional encoding model (ConvFC) over the CLI's fit (runs::fit_encoder)."""
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._arrays import as_angles, as_images, as_matrix
from ._fitted import forget_fit, seed_option, set_trained, state_dict_copy


class ConvEncoder(BaseEstimator):
    """Gratings -> Conv2d(1, channels, kernel) -> ReLU -> Linear -> every neuron's response.

    fit(angles, responses) draws the tutorial's gratings for the angles (its 60 orientations
    when there are 60 rows, as `encode` does) and fits all neurons at once; fit(images,
    responses) fits to the given images instead, (n, H, W) or (n, 1, H, W) (a 1-D first
    argument is angles, a 3-D or 4-D one images; `predict` takes the same). With
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

    def _options(self):
        return {"channels": int(self.channels), "kernel": int(self.kernel), "iters": int(self.iters),
                "lr": float(self.lr), "momentum": float(self.momentum), "l2": float(self.l2), "l1": float(self.l1),
                "seed": seed_option(self.seed)}

    def fit(self, stimuli, responses, eval_set=None):
        """Fits to angles (n,) (the gratings `encode` draws) or images (n, H, W) / (n, 1, H, W)."""
        options = self._options()
        _core.validate_encode_options(options)
        resp = as_matrix(responses, "responses")
        if np.ndim(stimuli) >= 3:
            images = as_images(stimuli, "images", n=resp.shape[0])
            angles = np.zeros(resp.shape[0], np.float32)  # not read: the images stand for them
        else:
            images, angles = None, as_angles(stimuli, "angles", n=resp.shape[0])
        resp_test = resp if eval_set is None else as_matrix(eval_set, "responses_test")
        forget_fit(self)
        r = _core.fit_encoder(resp, resp_test, angles, images, options, bool(self.verbose))
        set_trained(self, r, eval_set is not None)
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

    def predict(self, stimuli):
        """Predicted responses (n, n_neurons) to the gratings at these angles, or to images."""
        check_is_fitted(self, "state_dict_")
        if np.ndim(stimuli) >= 3:
            images = as_images(stimuli, "images")
            if images.shape[1:] != self.images_.shape[1:]:
                raise ValueError(f"images: shape {images.shape[1:]} per image, but the encoder was fitted to "
                                 f"{self.images_.shape[1:]}; expected the same")
        else:
            images = _core.encoder_gratings(as_angles(stimuli, "angles"))
        return _core.encoder_predict(images, self.state_dict_, self._options(), int(self.n_features_in_))

    def state_dict(self):
        return state_dict_copy(self)

    def score(self, stimuli, responses):
        """Median over neurons of the correlation between predicted and given responses."""
        pred = self.predict(stimuli)
        resp = as_matrix(responses, "responses")
        pc = pred - pred.mean(0)
        rc = resp - resp.mean(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = (pc * rc).sum(0) / np.sqrt((pc ** 2).sum(0) * (rc ** 2).sum(0))
        return float(np.nanmedian(corr))
