"""Inputs shared by the attribution, ISM and saliency tests: a hand-built GATA model,
sequences with the site planted at a known place, and random one-hot batches."""

import numpy as np
import pytest
import torch

from gdashboard.models.cnn import ConvNet

GATA = "AGATAA"
SITE = 40  # the planted site covers positions 40..45


def _one_hot(sequences):
    index = {"A": 0, "C": 1, "G": 2, "T": 3}
    X = torch.zeros(len(sequences), 4, len(sequences[0]))
    for i, sequence in enumerate(sequences):
        for j, base in enumerate(sequence):
            if base in index:
                X[i, index[base], j] = 1.0
    return X


def _gata_model():
    """A ConvNet whose only filter is AGATAA: +1 at the consensus base, -1 elsewhere.

    Bias -4: a full match gives 2, one mismatch 0. Logits: (-1, 2) x the global max.
    """
    model = ConvNet(n_filters=1, kernel_sizes=(6,), pool=None, dropout=0.0)
    with torch.no_grad():
        model.first_convolution.weight.copy_(2 * _one_hot([GATA]) - 1)
        model.first_convolution.bias.fill_(-4.0)
        model.linear.weight.copy_(torch.tensor([[-1.0], [2.0]]))
        model.linear.bias.zero_()
    return model.eval()


def _gata_sequences(n, length=101, seed=0):
    """``n`` seeded random sequences without AGATAA, then AGATAA planted at ``SITE``."""
    rng = np.random.default_rng(seed)
    sequences = []
    while len(sequences) < n:
        background = "".join(rng.choice(list("ACGT"), length))
        if GATA in background:
            continue
        sequences.append(background[:SITE] + GATA + background[SITE + len(GATA) :])
    return _one_hot(sequences)


def _random_one_hot(n, length, seed=0):
    generator = torch.Generator().manual_seed(seed)
    index = torch.randint(0, 4, (n, length), generator=generator)
    return torch.nn.functional.one_hot(index, 4).float().transpose(1, 2).contiguous()


@pytest.fixture
def gata_model():
    """``gata_model()``: a fresh GATA model in eval mode."""
    return _gata_model


@pytest.fixture
def gata_sequences():
    """``gata_sequences(n, length=101, seed=0)``: one-hot ``(n, 4, length)``."""
    return _gata_sequences


@pytest.fixture
def gata_site():
    """The planted site's positions, ``slice(SITE, SITE + len(GATA))``."""
    return slice(SITE, SITE + len(GATA))


@pytest.fixture
def random_one_hot():
    """``random_one_hot(n, length, seed=0)``: seeded random one-hot ``(n, 4, length)``."""
    return _random_one_hot
