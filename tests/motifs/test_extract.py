import numpy as np
import pytest
import torch

from gdashboard.errors import InputError
from gdashboard.motifs.extract import (
    aggregate_pfm,
    best_window,
    information_content,
    saliency_windows,
    temporal_rise,
    temporal_windows,
    window_matrices,
    window_sums,
)


def test_window_sums_match_direct_sums():
    rng = np.random.default_rng(0)
    values = rng.random((5, 30))
    direct = np.array([[row[s:s + 9].sum() for s in range(22)] for row in values])
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


def test_temporal_rise_definition():
    forward = np.array([[0.4, 0.3, 0.9, 0.8, 0.95]])
    # width 2: windows [0,2) [1,3) [2,4) [3,5); rise = f[s+1] - f[s-1]; no output before f[0]
    np.testing.assert_allclose(temporal_rise(forward, 2), [[-np.inf, 0.9 - 0.4, 0.8 - 0.3, 0.95 - 0.9]])
    np.testing.assert_allclose(temporal_rise(forward, 2, prior=0.5),
                               [[0.3 - 0.5, 0.9 - 0.4, 0.8 - 0.3, 0.95 - 0.9]])
    assert temporal_windows(forward, 2)[0] == 1
    backward = np.array([[0.9, 0.2, 0.1, 0.3, 0.4]])
    # rise = b[s] - b[s+2]; no output after b[4]
    np.testing.assert_allclose(temporal_rise(backward, 2, direction="backward"),
                               [[0.9 - 0.1, 0.2 - 0.3, 0.1 - 0.4, -np.inf]])
    np.testing.assert_allclose(temporal_rise(backward, 2, prior=0.5, direction="backward"),
                               [[0.9 - 0.1, 0.2 - 0.3, 0.1 - 0.4, 0.3 - 0.5]])
    assert temporal_windows(backward, 2, direction="backward")[0] == 0
    # One window only: it is the answer, prior or not.
    assert temporal_windows(np.array([[0.1, 0.9]]), 2)[0] == 0


def test_the_first_window_is_not_scored_against_an_invented_start():
    # Outputs on the first few bases sit far from 0.5 (here 0.95): with a 0.5
    # prior the first window would win; without one, the real rise at 40 wins.
    forward = np.full((1, 60), 0.2)
    forward[0, :9] = 0.95
    forward[0, 40:] = 0.6
    assert temporal_windows(forward, 9, prior=0.5)[0] == 0
    assert temporal_windows(forward, 9)[0] == 40 - 8


def test_temporal_step_picks_window_ending_at_the_switch():
    forward = np.full((3, 30), 0.1)
    forward[0, 17:] = 0.95  # switches to positive on reading position 17
    forward[1, :] = np.linspace(0.2, 0.4, 30)
    forward[1, 25:] = 0.9  # switch near the right edge
    forward[2, :] = 0.9  # positive from the first base: no rise anywhere, leftmost scored window
    starts = temporal_windows(forward, 9)
    np.testing.assert_array_equal(starts, [17 - 8, 25 - 8, 1])


def test_temporal_gradual_rise_and_prior():
    forward = np.concatenate([np.full(10, 0.2), np.linspace(0.2, 0.9, 10), np.full(10, 0.9)])[None]
    # the linear ramp covers positions 10..19: f[s+8] - f[s-1] is largest for s = 11 (f[19] - f[10])
    assert temporal_windows(forward, 9)[0] == 11
    # with a prior of 0 the first window (rise 0.2 from the prior) wins over none
    assert temporal_windows(np.full((1, 12), 0.2), 9, prior=0.0)[0] == 0


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
