"""Cross-validation over angles.

scikit-learn stratifies a classifier's folds on the distinct values of y. Angles that happen to
be whole degrees look like class labels to it, and 360 one-degree angles are then 360 classes
of one member each, which StratifiedKFold refuses. AngleStratifiedKFold stratifies on the
tutorial's classes instead (angle bins), which is what the classifier learns.
"""
import numpy as np
from sklearn.model_selection import StratifiedKFold


class AngleStratifiedKFold(StratifiedKFold):
    """StratifiedKFold over the class (one of `classes` equal bins of [0, 360)) of each angle."""

    def __init__(self, n_splits=5, classes=20, shuffle=False, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.classes = classes

    def split(self, X, y, groups=None):
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        bins = np.floor(np.mod(y, 360.0) * self.classes / 360.0).astype(np.int64)
        return super().split(X, bins, groups)
