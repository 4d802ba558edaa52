"""Cross-validation over angles.

scikit-learn (1.2) picks a classifier's default folds in check_cv: StratifiedKFold whenever
type_of_target(y) is "binary" or "multiclass", that is whenever the targets are whole numbers,
and it does so from y and is_classifier(estimator) alone, with no hook for the estimator. Whole-
degree angles then look like class labels, and 360 one-degree angles are 360 classes of one
member each, which StratifiedKFold refuses ("n_splits=5 cannot be greater than the number of
members in each class"). Non-integer angles get KFold, and whole degrees seen several times are
stratified per angle; both work with cv=5. AngleStratifiedKFold stratifies on the tutorial's
classes instead (bins of the angle), which is what the classifier learns, and works for every
kind of angle.
"""
import numpy as np
from sklearn.model_selection import StratifiedKFold


class AngleStratifiedKFold(StratifiedKFold):
    """StratifiedKFold over the class (one of `classes` equal bins of [0, period)) of each angle."""

    def __init__(self, n_splits=5, classes=20, shuffle=False, random_state=None, period=360.0):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.classes = classes
        self.period = period

    def split(self, X, y, groups=None):
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        bins = np.floor(np.mod(y, self.period) * self.classes / self.period).astype(np.int64)
        return super().split(X, bins, groups)
