"""neurocodec: decode stimuli from, and predict, large neural populations.

numpy arrays in, scikit-learn estimators out, over the same C++ fits as the `neurocodec` CLI,
so both give the same numbers bit for bit for the same data, split, initial weights and threads.
"""
from .analysis import (circular_error, decoding_errors, discrimination_threshold, preferred_orientation,
                       stimulus_order)
from .cv import AngleStratifiedKFold
from .data import load, simulate
from .decoders import MLPClassifierDecoder, MLPDecoder, MLPRegressorDecoder, RidgeDecoder, VonMisesDecoder
from .encoder import ConvEncoder
from .plots import (plot_data, plot_decoding_errors, plot_encoder_fit, plot_filters, plot_hidden, plot_losses,
                    plot_weights)

__version__ = "0.1.0"
__all__ = [
    "load", "simulate", "MLPDecoder", "MLPClassifierDecoder", "MLPRegressorDecoder", "RidgeDecoder",
    "VonMisesDecoder", "ConvEncoder", "discrimination_threshold",
    "preferred_orientation", "stimulus_order", "decoding_errors", "circular_error", "AngleStratifiedKFold",
    "plot_data", "plot_losses", "plot_weights", "plot_hidden", "plot_decoding_errors", "plot_filters",
    "plot_encoder_fit",
]
