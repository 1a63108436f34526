"""Temporal output scores: the fast algorithm equals the one-run-per-prefix reference."""

import math

import numpy as np
import pytest
import torch

from gdashboard.explain.temporal import (
    input_steps,
    pooling_stride,
    temporal_output_scores,
    temporal_output_scores_naive,
)
from gdashboard.models.presets import build_model
from gdashboard.models.rnn import RecurrentNet

TOLERANCE = 1e-5


def random_onehot(n, length, seed=0):
    codes = torch.randint(0, 4, (n, length), generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.one_hot(codes, 4).float().transpose(1, 2).contiguous()


def sharpened(model, factor=2.5):
    """Scale the recurrent and linear weights up so that the scores spread well away
    from 0.5: an untrained model's scores barely move, which would hide errors."""
    with torch.no_grad():
        for parameter in list(model.lstm.parameters()) + list(model.linear.parameters()):
            parameter.mul_(factor)
    return model


def full_probability(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=-1)[:, 1].numpy()


CASES = [
    ("small-rnn", "mean", 101),
    ("small-rnn", "max", 64),
    ("large-rnn", "mean", 50),
    ("large-rnn", "max", 33),
    ("small-cnn-rnn", "mean", 101),
    ("small-cnn-rnn", "max", 40),
    ("large-cnn-rnn", "mean", 101),
    ("large-cnn-rnn", "max", 37),  # 37 = 4*9 + 1: the last pooled step covers one position
]


@pytest.mark.parametrize("preset, pooling, length", CASES)
def test_fast_equals_naive(preset, pooling, length):
    torch.manual_seed(3)
    model = sharpened(build_model(preset, pooling=pooling))
    X = random_onehot(3, length, seed=length)
    forward, backward = temporal_output_scores(model, X, batch_size=2)  # two chunks
    naive_forward, naive_backward = temporal_output_scores_naive(model, X)
    assert forward.shape == backward.shape == (3, length)
    assert forward.dtype == np.float32
    # The scores really vary, so agreement is not agreement on a constant.
    assert forward.std() > 0.02 and backward.std() > 0.02
    np.testing.assert_allclose(forward, naive_forward, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(backward, naive_backward, atol=TOLERANCE, rtol=0)
    # The prefix ending at L and the suffix starting at 1 are the whole sequence.
    full = full_probability(model, X)
    np.testing.assert_allclose(forward[:, -1], full, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(backward[:, 0], full, atol=TOLERANCE, rtol=0)


def test_deeper_and_odd_networks_match_naive():
    # Three layers (a layer whose input is rerun in both directions) and pool-3 convolutions.
    torch.manual_seed(0)
    for kwargs in (
        dict(hidden_size=8, n_layers=3, pooling="max"),
        dict(hidden_size=6, n_layers=3, conv_filters=8, conv_kernel_sizes=(5, 3), conv_pool=3),
    ):
        model = sharpened(RecurrentNet(**kwargs, input_init_scale=2.0))
        X = random_onehot(3, 29, seed=1)
        fast = temporal_output_scores(model, X)
        naive = temporal_output_scores_naive(model, X)
        for a, b in zip(fast, naive):
            np.testing.assert_allclose(a, b, atol=TOLERANCE, rtol=0)


def test_prefix_scores_are_the_model_on_prefixes():
    # Independent of both implementations: a plain RNN on X[:, :, :t] is the prefix score.
    torch.manual_seed(1)
    model = sharpened(build_model("small-rnn")).eval()
    X = random_onehot(2, 20, seed=5)
    forward, backward = temporal_output_scores(model, X)
    for t in (1, 7, 20):
        np.testing.assert_allclose(forward[:, t - 1], full_probability(model, X[:, :, :t]), atol=TOLERANCE)
        np.testing.assert_allclose(backward[:, t - 1], full_probability(model, X[:, :, t - 1 :]), atol=TOLERANCE)


def test_pooled_position_rule():
    model = build_model("large-cnn-rnn")
    assert pooling_stride(model) == 4
    assert pooling_stride(build_model("small-cnn-rnn")) == 1
    with torch.no_grad():
        T = model.encode(torch.zeros(1, 4, 101)).shape[1]
    assert T == math.ceil(math.ceil(101 / 2) / 2) == 26
    steps = input_steps(model, 101, T)
    assert steps.tolist() == [p // 4 for p in range(101)]
    # Positions sharing a pooled step share their scores.
    forward, backward = temporal_output_scores(model, random_onehot(1, 101))
    assert np.all(forward[0, 0:4] == forward[0, 0]) and np.all(backward[0, 96:100] == backward[0, 96])
    assert forward[0, 3] != forward[0, 4]


def test_recurrent_models_only():
    cnn = build_model("small-cnn")
    X = random_onehot(1, 50)
    with pytest.raises(ValueError, match="recurrent model"):
        temporal_output_scores(cnn, X)
    with pytest.raises(ValueError, match="recurrent model"):
        temporal_output_scores_naive(cnn, X)
    with pytest.raises(ValueError, match="shape"):
        temporal_output_scores(build_model("small-rnn"), torch.zeros(4, 50))


def test_eval_mode_and_mode_restored():
    torch.manual_seed(0)
    model = sharpened(build_model("small-rnn", dropout=0.9))
    model.train()
    X = random_onehot(2, 15)
    first = temporal_output_scores(model, X, progress=True)
    second = temporal_output_scores(model, X)
    assert model.training  # restored
    np.testing.assert_array_equal(first[0], second[0])  # dropout was off


# ----------------------------------------------------- a hand-built GATA detector

GATA = "GATA"


def gata_detector() -> RecurrentNet:
    """A BiLSTM whose forward direction detects GATA, by hand.

    Forward units 0..3 mean "the bases just read end with G, GA, GAT, GATA": each
    unit's cell input is ~+1 when its base is read right after its predecessor
    unit fired, else ~-1 (its pre-activation is big * (base + fired - 1.75)), with
    input and output gates open and the forget gate shut. The reverse direction
    is all zero (its outputs are exactly 0). With max pooling,
    the positive logit is 5 * max over time of unit 3: about -3.8 until a GATA
    has been read, +3.8 after.
    """
    model = RecurrentNet(hidden_size=4, n_layers=1, pooling="max", dropout=0.0)
    H, big = 4, 40.0
    a = math.tanh(1.0)  # a unit's output when its cell holds ~±1
    i, f, g, o = (slice(k * H, (k + 1) * H) for k in range(4))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        lstm = model.lstm
        lstm.bias_ih_l0[i] = big
        lstm.bias_ih_l0[f] = -big
        lstm.bias_ih_l0[o] = big
        for unit, base in enumerate(GATA):
            row = 2 * H + unit  # the cell-input (g) row of this unit
            lstm.weight_ih_l0[row, "ACGT".index(base)] = big
            if unit == 0:
                lstm.bias_ih_l0[row] = -0.5 * big
            else:
                # (h + a) / 2a is 1 when the predecessor fired, 0 when not, and
                # 1/2 at the first step (h = 0); the threshold 1.75 treats that as not.
                lstm.weight_hh_l0[row, unit - 1] = big / (2 * a)
                lstm.bias_ih_l0[row] = big * (0.5 - 1.75)
        model.linear.weight[1, 3] = 5.0
    return model.eval()


def background_without_gata(length, rng):
    while True:
        sequence = "".join(rng.choice(list("ACGT"), size=length))
        if GATA not in sequence:
            return sequence


@pytest.mark.parametrize("site", [10, 27, 50])
def test_forward_score_turns_positive_just_after_a_gata_site(site):
    from gdashboard.data import one_hot_encode

    rng = np.random.default_rng(site)
    while True:
        sequence = background_without_gata(70, rng)
        sequence = sequence[:site] + GATA + sequence[site + 4 :]
        if sequence.count(GATA) == 1:
            break
    model = gata_detector()
    X = one_hot_encode(sequence)
    forward, backward = temporal_output_scores(model, X)
    end = site + 3  # 0-based position of the site's last base
    # Negative while the site is being read, positive from its last base on.
    assert np.all(forward[0, :end] < 0.1)
    assert np.all(forward[0, end:] > 0.9)
    # Read from the right, the whole site is in the suffix from its first base on.
    assert np.all(backward[0, : site + 1] > 0.9)
    assert np.all(backward[0, site + 1 :] < 0.1)
    naive = temporal_output_scores_naive(model, X)
    np.testing.assert_allclose(forward, naive[0], atol=TOLERANCE)
    np.testing.assert_allclose(backward, naive[1], atol=TOLERANCE)


@pytest.mark.parametrize("preset", ["small-rnn", "small-cnn-rnn", "large-cnn-rnn"])
def test_input_spans_bound_what_each_step_reads(preset):
    from gdashboard.explain.temporal import input_spans, input_steps

    torch.manual_seed(0)
    model = build_model(preset).eval()
    length = 41
    first, last = input_spans(model, length)
    expected = {  # by hand from the kernels (9; 9, 5), "same" padding and pool-2 layers
        "small-rnn": (np.arange(length), np.arange(length)),
        "small-cnn-rnn": (np.maximum(np.arange(length) - 4, 0), np.minimum(np.arange(length) + 4, length - 1)),
        "large-cnn-rnn": (
            np.maximum(4 * (np.arange(length) // 4) - 8, 0),
            np.minimum(4 * (np.arange(length) // 4) + 11, length - 1),
        ),
    }[preset]
    np.testing.assert_array_equal(first, expected[0])
    np.testing.assert_array_equal(last, expected[1])
    # Changing one base changes no encoded step whose span leaves it out (the
    # spans are not too narrow; the hand-made figures above pin them exactly).
    X = torch.nn.functional.one_hot(torch.randint(0, 4, (1, length)), 4).float().transpose(1, 2)
    steps = input_steps(model, length)
    with torch.no_grad():
        reference = model.encode(X)[0]
        for position in range(length):
            changed = X.clone()
            changed[0, :, position] = torch.roll(changed[0, :, position], 1)
            moved = (model.encode(changed)[0] - reference).abs().amax(dim=1) > 0
            reads = torch.as_tensor((first <= position) & (position <= last))
            step_reads = torch.zeros(len(moved), dtype=torch.bool)
            step_reads[torch.as_tensor(steps)[reads]] = True
            assert not (moved & ~step_reads).any(), position


# ------------------------------------------------ averaged models: the deployed model's scores


def literal_scores(model, X):
    """The deployed model called on every prefix and every suffix, one at a time."""
    model.eval()
    n, _, length = X.shape
    forward, backward = np.empty((n, length)), np.empty((n, length))
    with torch.no_grad():
        for i in range(n):
            for t in range(1, length + 1):
                forward[i, t - 1] = full_probability(model, X[i : i + 1, :, :t])[0]
                backward[i, t - 1] = full_probability(model, X[i : i + 1, :, t - 1 :])[0]
    return forward, backward


def small_network(seed, kind="rnn"):
    """A small random network, sharpened: small-rnn's shape, or a CNN-RNN whose
    convolutions have kernel 1 (so that a prefix's convolution output is the
    whole sequence's, cut: the deployed model on a prefix is then the temporal score)."""
    torch.manual_seed(seed)
    if kind == "rnn":
        return sharpened(build_model("small-rnn"))
    return sharpened(RecurrentNet(hidden_size=8, conv_filters=6, conv_kernel_sizes=(1,), input_init_scale=2.0))


def averaged(kind):
    from gdashboard.models.averaged import SeedEnsemble, StrandAverage

    if kind == "strands":
        return StrandAverage(small_network(10))
    if kind == "strands-cnn-rnn":
        return StrandAverage(small_network(11, "cnn-rnn"))
    if kind == "seeds":
        return SeedEnsemble([small_network(12), small_network(13)])
    if kind == "seeds-of-strands":
        return SeedEnsemble([StrandAverage(small_network(14)), StrandAverage(small_network(15, "cnn-rnn"))])
    raise ValueError(kind)


def check_whole_sequence(model, X, forward, backward):
    """The prefix ending at L and the suffix starting at 1 are the whole sequence."""
    full = full_probability(model, X)
    np.testing.assert_allclose(forward[:, -1], full, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(backward[:, 0], full, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("kind", ["strands", "strands-cnn-rnn", "seeds", "seeds-of-strands"])
def test_averaged_scores_are_the_deployed_model_on_every_prefix_and_suffix(kind):
    model = averaged(kind)
    X = random_onehot(3, 18, seed=7)
    X[1, :, 5] = 0  # an N: its reverse complement is an N too
    forward, backward = temporal_output_scores(model, X, batch_size=2)
    literal_forward, literal_backward = literal_scores(model, X)
    assert forward.std() > 0.02 and backward.std() > 0.02
    np.testing.assert_allclose(forward, literal_forward, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(backward, literal_backward, atol=TOLERANCE, rtol=0)
    check_whole_sequence(model, X, forward, backward)
    naive_forward, naive_backward = temporal_output_scores_naive(model, X)
    np.testing.assert_allclose(naive_forward, literal_forward, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(naive_backward, literal_backward, atol=TOLERANCE, rtol=0)


def test_averaged_scores_are_not_the_mean_of_probabilities():
    # The mean of the two strands' probabilities is no model's probability: it
    # differs from the deployed one, and its last value is not the prediction.
    from gdashboard.models.averaged import StrandAverage

    torch.manual_seed(10)
    model = StrandAverage(sharpened(build_model("small-rnn"), factor=6.0))
    X = random_onehot(3, 18, seed=7)
    forward, _ = temporal_output_scores(model, X)
    own_forward, _ = temporal_output_scores(model.network, X)
    _, other_backward = temporal_output_scores(model.network, X.flip(1).flip(2))
    mean_of_probabilities = (own_forward + other_backward[:, ::-1]) / 2
    assert np.abs(forward - mean_of_probabilities).max() > 0.01


@pytest.mark.parametrize(
    "preset, pooling, length",
    [("small-cnn-rnn", "mean", 40), ("small-cnn-rnn", "max", 33), ("large-cnn-rnn", "max", 37)],
)
def test_averaged_cnn_rnns_match_naive(preset, pooling, length):
    # Wide kernels: the convolutions see each strand's whole sequence once, as for
    # one network, so the naive loop (not the model on a cut sequence) is the reference.
    from gdashboard.models.averaged import SeedEnsemble, StrandAverage

    torch.manual_seed(4)
    networks = [sharpened(build_model(preset, pooling=pooling)) for _ in range(3)]
    X = random_onehot(3, length, seed=length)
    for model in (StrandAverage(networks[0]), SeedEnsemble([StrandAverage(networks[1]), networks[2]])):
        forward, backward = temporal_output_scores(model, X, batch_size=2)
        naive_forward, naive_backward = temporal_output_scores_naive(model, X)
        assert forward.std() > 0.01
        np.testing.assert_allclose(forward, naive_forward, atol=TOLERANCE, rtol=0)
        np.testing.assert_allclose(backward, naive_backward, atol=TOLERANCE, rtol=0)
        check_whole_sequence(model, X, forward, backward)


def test_strand_averaged_scores_are_strand_symmetric():
    # The other strand's prefixes are this strand's suffixes, to the last bit.
    model = averaged("seeds-of-strands")
    X = random_onehot(2, 25, seed=3)
    forward, backward = temporal_output_scores(model, X)
    other_forward, other_backward = temporal_output_scores(model, X.flip(1).flip(2))
    np.testing.assert_array_equal(forward, other_backward[:, ::-1])
    np.testing.assert_array_equal(backward, other_forward[:, ::-1])


def test_averages_of_a_cnn_are_refused():
    from gdashboard.models.averaged import SeedEnsemble, StrandAverage

    X = random_onehot(1, 30)
    for model in (StrandAverage(build_model("small-cnn")), SeedEnsemble([small_network(0), build_model("small-cnn")])):
        with pytest.raises(ValueError, match="recurrent model"):
            temporal_output_scores(model, X)
        with pytest.raises(ValueError, match="recurrent model"):
            temporal_output_scores_naive(model, X)


def test_a_trained_strand_averaged_model():
    from gdashboard.data import one_hot_encode
    from gdashboard.data.simulate import simulate
    from gdashboard.models.averaged import StrandAverage

    simulation = simulate(n=300, length=60, seed=0)
    X = one_hot_encode(simulation.sequences)
    y = torch.as_tensor(simulation.labels)
    torch.manual_seed(0)
    model = StrandAverage(build_model("small-rnn"))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for batch in torch.randperm(len(X)).split(32):  # one epoch
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(X[batch]), y[batch]).backward()
        optimizer.step()
    positives = X[simulation.labels == 1][:3]
    forward, backward = temporal_output_scores(model, positives)
    literal_forward, literal_backward = literal_scores(model, positives)
    np.testing.assert_allclose(forward, literal_forward, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(backward, literal_backward, atol=TOLERANCE, rtol=0)
    check_whole_sequence(model, positives, forward, backward)


def test_the_registry_method():
    from gdashboard.explain.temporal import explain_temporal
    from gdashboard.methods import TemporalOptions, get_method

    method = get_method("temporal")
    assert method.load() is explain_temporal
    model = averaged("seeds")
    X = random_onehot(3, 12, seed=2)
    arrays = explain_temporal(model, X, method.make_options(batch_size=1))
    assert tuple(arrays) == method.keys
    for key, value in zip(method.keys, temporal_output_scores(model, X, batch_size=1)):
        np.testing.assert_array_equal(arrays[key], value)
    default = explain_temporal(model, X, TemporalOptions(), progress=False)
    np.testing.assert_array_equal(default["forward"], temporal_output_scores(model, X)[0])
