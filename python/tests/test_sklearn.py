"""Inside scikit-learn: clone, cross-validation, grid search, pipelines, estimator checks."""
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks as ec

import neurocodec as nc


def test_clone_keeps_params():
    dec = nc.MLPClassifierDecoder(hidden=7, l2=1e-3, iters=3)
    c = clone(dec)
    assert c.get_params() == dec.get_params() and c is not dec


def test_cross_val_score_non_integer_angles(small):
    resp, stim = small
    assert np.any(stim != np.round(stim))  # the tutorial's bins: mean angles, continuous
    # The default folds (KFold, not shuffled: rows are sorted by angle, so each fold tests on
    # angles it never saw) run; shuffled folds decode well.
    assert cross_val_score(nc.MLPClassifierDecoder(iters=20), resp, stim, cv=3).shape == (3,)
    s = cross_val_score(nc.MLPClassifierDecoder(iters=100), resp, stim, cv=KFold(3, shuffle=True, random_state=0))
    assert s.shape == (3,) and np.all(s > 0.2)
    r = cross_val_score(nc.MLPRegressorDecoder(iters=10), resp, stim, cv=3)
    assert np.all(r < 0)  # negative MSE


def test_cross_val_score_integer_angles(small):
    resp, _ = small
    # Whole degrees, each once: scikit-learn reads them as 360 classes of one member each and
    # its default StratifiedKFold refuses them; AngleStratifiedKFold stratifies on the
    # tutorial's classes instead.
    stim = np.arange(len(resp), dtype=np.float64)
    s = cross_val_score(nc.MLPClassifierDecoder(iters=50), resp, stim, cv=nc.AngleStratifiedKFold(3))
    assert s.shape == (3,)
    # Whole degrees seen several times (single trials): the default cv works, and folds that
    # miss some angles still learn all 20 classes.
    rep = (np.arange(len(resp)) // 3 * 3).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = cross_val_score(nc.MLPClassifierDecoder(iters=50), resp, rep, cv=3)
    assert s.shape == (3,)
    r = cross_val_score(nc.MLPRegressorDecoder(iters=5), resp, stim.astype(np.int64), cv=3)
    assert r.shape == (3,)


def test_grid_search_and_pipeline(small):
    resp, stim = small
    gs = GridSearchCV(nc.MLPClassifierDecoder(iters=50), {"l2": [0.0, 1e-3], "hidden": [10, 20]},
                      cv=KFold(3, shuffle=True, random_state=0))
    gs.fit(resp, stim)
    assert set(gs.best_params_) == {"l2", "hidden"}
    assert gs.best_estimator_.classes_.shape == (20,)
    pipe = make_pipeline(StandardScaler(), nc.MLPClassifierDecoder(iters=50))
    s = cross_val_score(pipe, resp, stim, cv=KFold(3, shuffle=True, random_state=0))
    assert np.all(s > 0.1)


CHECKS = [
    "check_get_params_invariance", "check_set_params", "check_estimators_dtypes", "check_fit_score_takes_y",
    "check_dont_overwrite_parameters", "check_estimators_fit_returns_self", "check_estimators_nan_inf",
    "check_estimators_empty_data_messages", "check_estimators_unfitted", "check_n_features_in", "check_fit2d_1sample",
]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("make", [lambda: nc.MLPClassifierDecoder(iters=20), lambda: nc.MLPRegressorDecoder(iters=5)],
                         ids=["classifier", "regressor"])
def test_estimator_checks(check, make):
    est = make()
    getattr(ec, check)(type(est).__name__, est)
