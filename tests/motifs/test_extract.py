import numpy as np
import pytest
import torch

from gdashboard.errors import InputError
from gdashboard.motifs.extract import (
    aggregate_pfm,
    best_window,
    information_content,
    saliency_windows,
    temporal_steps,
    temporal_windows,
    window_matrices,
    window_sums,
)


def test_window_sums_match_direct_sums():
    rng = np.random.default_rng(0)
    values = rng.random((5, 30))
    direct = np.array([[row[s : s + 9].sum() for s in range(22)] for row in values])
    np.testing.assert_allclose(window_sums(values, 9), direct, rtol=0, atol=1e-12)


def test_saliency_known_argmax_windows():
    saliency = np.zeros((3, 20))
    saliency[0, 5:14] = 1.0  # exactly the window [5, 14)
    saliency[1, 12] = 10.0  # a single spike: windows containing 12 tie, leftmost is 4
    saliency[2, 0:3] = 2.0  # a bump at the left edge
    saliency[2, 19] = 5.0  # outweighed spike at the right edge
    np.testing.assert_array_equal(saliency_windows(saliency, 9), [5, 4, 0])


def test_saliency_ties_go_left_and_edges_are_reachable():
    flat = np.full((1, 15), 0.1)  # every window sums to 0.9 (up to rounding)
    assert saliency_windows(flat, 9)[0] == 0
    right = np.zeros((1, 15))
    right[0, -9:] = 1.0
    assert saliency_windows(right, 9)[0] == 6  # the last possible start, L - 9
    assert saliency_windows(np.ones((1, 9)), 9)[0] == 0  # L == width
    two = np.zeros((1, 30))
    two[0, 3:12] = 1.0
    two[0, 20:29] = 1.0  # an equal window further right
    assert saliency_windows(two, 9)[0] == 3


def test_saliency_accepts_letter_maps_and_tensors():
    sal = np.zeros((2, 4, 20))
    sal[0, 2, 7:16] = 0.5
    sal[1, 0, 1] = 3.0
    np.testing.assert_array_equal(saliency_windows(torch.tensor(sal), 9), [7, 0])


def test_saliency_rejects_short_or_bad_input():
    with pytest.raises(InputError):
        saliency_windows(np.zeros((2, 8)), 9)
    with pytest.raises(InputError):
        saliency_windows(np.full((1, 20), np.nan), 9)


def test_temporal_steps_definition():
    forward = np.array([[0.4, 0.3, 0.9, 0.8, 0.95]])
    # forward[t] - forward[t-1]; the first output has none before it
    np.testing.assert_allclose(temporal_steps(forward), [[-np.inf, -0.1, 0.6, -0.1, 0.15]])
    backward = np.array([[0.9, 0.2, 0.1, 0.3, 0.4]])
    # backward[t] - backward[t+1]; the last output (read first) has none before it
    np.testing.assert_allclose(temporal_steps(backward, "backward"), [[0.7, 0.1, -0.2, -0.1, -np.inf]])
    with pytest.raises(InputError, match="direction"):
        temporal_steps(forward, "sideways")


def test_temporal_window_ends_at_the_base_that_switched_the_model():
    forward = np.full((4, 30), 0.1)
    forward[0, 17:] = 0.95  # switches to positive on reading base 17
    # A mean-pooled model keeps creeping up after the switch: the window still ends at it.
    forward[1, 12:] = 0.6 + 0.01 * np.arange(18)
    forward[2, :] = 0.9  # positive from the first base and never rising: first scored base
    forward[3, 3:] = 0.8  # a switch near the start: the window is clipped to the sequence
    np.testing.assert_array_equal(temporal_windows(forward, 9), [17 - 8, 12 - 8, 0, 0])
    # The first output has nothing before it: a high first output is no "rise".
    first_high = np.full((1, 30), 0.2)
    first_high[0, 0] = 0.99
    first_high[0, 20:] = 0.4
    assert temporal_windows(first_high, 9)[0] == 20 - 8
    # Backward: reading leftwards, the window starts at the base that switched it.
    backward = np.full((1, 30), 0.1)
    backward[0, :11] = 0.9  # switches on reading base 10
    assert temporal_windows(backward, 9, direction="backward")[0] == 10


def test_temporal_window_follows_what_a_cnn_rnn_output_has_read():
    # Outputs that read 2 bases ahead (a width-5 "same" convolution): the output
    # at t has read up to min(t + 2, L - 1). A motif ending at base 14 makes the
    # output jump at t = 12, the first output to read base 14.
    length, width = 30, 5
    last = np.minimum(np.arange(length) + 2, length - 1)
    forward = np.full((1, length), 0.1)
    forward[0, 12:] = 0.9
    assert temporal_windows(forward, width)[0] == 12 - (width - 1)
    assert temporal_windows(forward, width, reach=last)[0] == 14 - (width - 1)
    # Backward: the output at t has read from max(t - 2, 0); a motif starting at
    # base 10 makes it jump at t = 12.
    first = np.maximum(np.arange(length) - 2, 0)
    backward = np.full((1, length), 0.1)
    backward[0, :13] = 0.9
    assert temporal_windows(backward, width, direction="backward", reach=first)[0] == 10
    with pytest.raises(InputError, match="non-decreasing"):
        temporal_windows(forward, width, reach=last[::-1])
    # Pooled steps (stride 4): equal outputs inside a step are no step up. A
    # falling output picks its least fall between steps, not the 0 inside step 0.
    pooled_last = np.minimum(4 * (np.arange(length) // 4) + 11, length - 1)
    falling = np.repeat(np.array([0.9, 0.8, 0.75, 0.5, 0.4, 0.39, 0.3, 0.2]), 4)[None, :length]
    assert temporal_windows(falling, 9, reach=pooled_last)[0] == pooled_last[20] - 8


def test_window_matrices_and_clipping():
    rng = np.random.default_rng(1)
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3, 20))].transpose(0, 2, 1)
    windows = window_matrices(X, np.array([2, -5, 18]), 9)
    assert windows.shape == (3, 4, 9) and windows.dtype == np.float32
    np.testing.assert_array_equal(windows[0], X[0, :, 2:11])
    np.testing.assert_array_equal(windows[1], X[1, :, 0:9])  # clipped at the left edge
    np.testing.assert_array_equal(windows[2], X[2, :, 11:20])  # clipped at the right edge
    np.testing.assert_array_equal(window_matrices(torch.tensor(X), [2, 0, 11], 9), windows)


def test_aggregate_pfm_column_frequencies():
    windows = np.zeros((4, 4, 3))
    windows[:, 0, 0] = 1  # all A
    windows[:2, 1, 1] = 1
    windows[2:, 3, 1] = 1  # half C, half T
    # column 2: all N
    pfm = aggregate_pfm(windows)
    np.testing.assert_allclose(pfm[:, 0], [1, 0, 0, 0])
    np.testing.assert_allclose(pfm[:, 1], [0, 0.5, 0, 0.5])
    np.testing.assert_allclose(pfm[:, 2], [0.25] * 4)


def test_best_window_by_information_content():
    matrix = np.full((4, 30), 0.25)
    matrix[:, 20:29] = np.eye(4)[[0, 1, 2, 3, 0, 1, 2, 3, 0]].T  # 9 certain columns
    matrix[:, 2] = [0.97, 0.01, 0.01, 0.01]
    assert best_window(matrix, 9) == 20
    np.testing.assert_allclose(information_content(matrix)[[0, 20]], [0.0, 2.0])
    assert best_window(np.full((4, 12), 0.25), 9) == 0  # all ties: leftmost
