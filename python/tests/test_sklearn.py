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


@pytest.mark.parametrize("dec", [nc.MLPClassifierDecoder(hidden=7, l2=1e-3, iters=3, period=180),
                                 nc.MLPDecoder(model="circular", period=180), nc.RidgeDecoder(lambda_=3.0, period=0),
                                 nc.VonMisesDecoder(lambda_=0.1)])
def test_clone_keeps_params(dec):
    c = clone(dec)
    assert c.get_params() == dec.get_params() and c is not dec


def test_cross_val_score_non_integer_angles(small):
    resp, stim = small
    assert np.any(stim != np.round(stim))  # the tutorial's bins: mean angles, continuous
    # The default folds (KFold, not shuffled: rows are sorted by angle, so each fold tests on
    # angles it never saw) run with plain cv=5; shuffled folds decode well.
    assert cross_val_score(nc.MLPClassifierDecoder(iters=20), resp, stim, cv=5).shape == (5,)
    s = cross_val_score(nc.MLPClassifierDecoder(iters=100), resp, stim, cv=KFold(3, shuffle=True, random_state=0))
    assert s.shape == (3,) and np.all(s > 0.2)
    r = cross_val_score(nc.MLPRegressorDecoder(iters=10), resp, stim, cv=5)
    assert np.all(r < 0)  # negative MSE
    gs = GridSearchCV(nc.MLPClassifierDecoder(iters=20), {"l2": [0.0, 1e-3]}, cv=5).fit(resp, stim)
    assert len(gs.cv_results_["split4_test_score"]) == 2


def test_cross_val_score_integer_angles(small):
    resp, _ = small
    stim = np.arange(len(resp), dtype=np.int64)  # whole degrees, each once
    # scikit-learn 1.2 reads whole numbers as class labels: for a classifier its check_cv picks
    # StratifiedKFold, which refuses 360 classes of one member each. No estimator hook changes
    # that choice (it looks at y and _estimator_type == "classifier" only), so plain cv=5
    # cannot work for this y; this test notices when scikit-learn changes.
    for y in (stim, stim.astype(np.float64)):
        with pytest.raises(ValueError, match="n_splits=5 cannot be greater than the number of members in each class"):
            cross_val_score(nc.MLPClassifierDecoder(iters=2), resp, y, cv=5)
    # AngleStratifiedKFold stratifies on the tutorial's classes instead: cross_val_score and
    # GridSearchCV with it work, for integer and non-integer angles alike.
    cv = nc.AngleStratifiedKFold(5)
    for y in (stim, stim + 0.5):
        s = cross_val_score(nc.MLPClassifierDecoder(iters=50), resp, y, cv=cv)
        assert s.shape == (5,)
        gs = GridSearchCV(nc.MLPClassifierDecoder(iters=20), {"hidden": [5, 10]}, cv=cv).fit(resp, y)
        assert gs.best_params_["hidden"] in (5, 10) and len(gs.cv_results_["split4_test_score"]) == 2
    # Each of its test folds holds every class (about a fifth of its 18 angles).
    for _, test in cv.split(resp, stim):
        counts = np.bincount(stim[test] // 18, minlength=20)
        assert counts.min() >= 2 and counts.max() <= 5
    # Whole degrees seen several times (single trials): plain cv=5 works, stratified per angle,
    # and folds that miss some angles still learn all 20 classes.
    rep = (np.arange(len(resp)) // 5 * 5).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cross_val_score(nc.MLPClassifierDecoder(iters=50), resp, rep, cv=5).shape == (5,)
        gs = GridSearchCV(nc.MLPClassifierDecoder(iters=20), {"l2": [0.0, 1e-3]}, cv=5).fit(resp, rep)
    assert gs.best_estimator_.classes_.shape == (20,)
    # Regressors (MLP regression and circular, ridge, von Mises) get KFold: plain cv=5 works
    # for any angles.
    for est in (nc.MLPRegressorDecoder(iters=5), nc.MLPDecoder(model="circular", iters=20), nc.RidgeDecoder(),
                nc.VonMisesDecoder()):
        assert cross_val_score(est, resp, stim, cv=5).shape == (5,)
    gs = GridSearchCV(nc.RidgeDecoder(), {"lambda_": [0.1, 1.0, 10.0]}, cv=5).fit(resp, stim)
    assert gs.best_params_["lambda_"] in (0.1, 1.0, 10.0) and gs.best_estimator_.lambda_ == gs.best_params_["lambda_"]


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
@pytest.mark.parametrize("make", [lambda: nc.MLPClassifierDecoder(iters=20), lambda: nc.MLPRegressorDecoder(iters=5),
                                  lambda: nc.MLPDecoder(model="circular", iters=5), nc.RidgeDecoder,
                                  nc.VonMisesDecoder],
                         ids=["classifier", "regressor", "circular", "ridge", "vonmises"])
def test_estimator_checks(check, make):
    est = make()
    getattr(ec, check)(type(est).__name__, est)
