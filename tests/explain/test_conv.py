import numpy as np
import pytest
import torch
from torch import nn

from gdashboard.data.onehot import ALPHABET, one_hot_encode
from gdashboard.explain.conv import max_activation_windows
from gdashboard.models import build_model

MOTIF = "AGATAA"


def motif_weights(motif: str, width: int, offset: int = 0) -> torch.Tensor:
    """(4, width): +1 on the motif's bases, -1/3 on the others, zero outside the motif.

    An exact match scores 6; any other window of 6 bases at most 5 - 1/3.
    """
    weights = torch.zeros(4, width)
    for j, base in enumerate(motif):
        weights[:, offset + j] = -1 / 3
        weights[ALPHABET.index(base), offset + j] = 1.0
    return weights


def planted(starts, length, seed=0):
    """Random sequences with MOTIF at each start and nowhere else."""
    rng = np.random.default_rng(seed)
    sequences = []
    for start in starts:
        while True:
            background = "".join(rng.choice(list(ALPHABET), length))
            sequence = background[:start] + MOTIF + background[start + len(MOTIF) :]
            if sequence.count(MOTIF) == 1:
                break
        sequences.append(sequence)
    return one_hot_encode(sequences)


class ThreeFilters(nn.Module):
    """Valid padding; filter 2 is the GATA motif, filter 1 a weaker unrelated one."""

    def __init__(self):
        super().__init__()
        self.convolution = nn.Conv1d(4, 3, 6)
        with torch.no_grad():
            self.convolution.weight.zero_()
            self.convolution.weight[1] = 0.5 * motif_weights("CCCGGG", 6)
            self.convolution.weight[2] = motif_weights(MOTIF, 6)
            self.convolution.bias.zero_()

    def forward(self, X):
        return torch.relu(self.convolution(X)).amax(dim=-1)

    @property
    def first_convolution(self):
        return self.convolution


def test_valid_padding_finds_the_planted_site():
    starts = [0, 7, 20, 44]
    X = planted(starts, 50)
    start, width, filter_ = max_activation_windows(ThreeFilters(), X, batch_size=3)
    np.testing.assert_array_equal(start, starts)
    np.testing.assert_array_equal(width, 6)
    np.testing.assert_array_equal(filter_, 2)
    assert start.dtype == width.dtype == filter_.dtype == np.int64


def set_first_filter(model, filter_index, weights):
    conv = model.first_convolution
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()
        conv.weight[filter_index] = weights
    return model


def test_same_padding_in_the_cnn_rnn():
    # Kernel 9, "same" padding: 4 zero columns each side; output position p
    # covers input p - 4 .. p + 4. The motif sits in kernel columns 0..5.
    model = set_first_filter(build_model("small-cnn-rnn"), 37, motif_weights(MOTIF, 9, offset=0))
    assert model.first_convolution.padding == "same"
    length = 60
    starts = [0, 30, length - 9, length - 6]
    start, width, filter_ = max_activation_windows(model, planted(starts, length, seed=1))
    np.testing.assert_array_equal(filter_, 37)
    np.testing.assert_array_equal(start, starts)
    # Whole 9-wide windows, except the last, which runs 3 columns into padding.
    np.testing.assert_array_equal(width, [9, 9, 9, 6])


def test_same_padding_clipped_on_the_left():
    # Motif in kernel columns 3..8: the window starts 3 before the site, so a
    # site at 0 puts the window at -3, clipped to [0, 6).
    model = set_first_filter(build_model("small-cnn-rnn"), 5, motif_weights(MOTIF, 9, offset=3))
    start, width, filter_ = max_activation_windows(model, planted([0, 2, 3, 20], 40, seed=2))
    np.testing.assert_array_equal(start, [0, 0, 0, 17])
    np.testing.assert_array_equal(width, [6, 8, 9, 9])
    np.testing.assert_array_equal(filter_, 5)


def test_deepbind_padding():
    # DeepBind pads 23 columns on each side of its width-24 filters.
    model = set_first_filter(build_model("deepbind"), 11, motif_weights(MOTIF, 24, offset=10))
    length = 101
    starts = [0, 50, length - 6]
    start, width, filter_ = max_activation_windows(model, planted(starts, length, seed=3))
    np.testing.assert_array_equal(filter_, 11)
    # Window starts 10 before the site; clipped at 0 on the left, at L on the right.
    np.testing.assert_array_equal(start, [0, 40, length - 16])
    np.testing.assert_array_equal(width, [14, 24, 16])
    # The window holds the motif.
    sequences = ["".join(ALPHABET[i] for i in x.argmax(0)) for x in planted(starts, length, seed=3)]
    for sequence, s, w in zip(sequences, start, width):
        assert MOTIF in sequence[s : s + w]


def test_model_without_convolution():
    with pytest.raises(ValueError, match="no first convolution"):
        max_activation_windows(build_model("small-rnn"), planted([3], 30))


def test_bad_shapes_and_empty_input():
    with pytest.raises(ValueError, match="shape"):
        max_activation_windows(ThreeFilters(), torch.zeros(2, 30))
    with pytest.raises(ValueError, match="shorter"):
        max_activation_windows(ThreeFilters(), torch.zeros(2, 4, 5))
    start, width, filter_ = max_activation_windows(ThreeFilters(), torch.zeros(0, 4, 30))
    assert start.shape == width.shape == filter_.shape == (0,)
