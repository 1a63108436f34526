"""One-hot encoding: (N, 4, L) float32 in ACGT order, N as an all-zero column."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdashboard.data.onehot import ALPHABET, encode_codes, one_hot_decode, one_hot_encode


def test_shape_dtype_and_acgt_order():
    X = one_hot_encode(["ACGT", "TTGA"])
    assert X.shape == (2, 4, 4)
    assert X.dtype == torch.float32
    assert ALPHABET == "ACGT"
    # "ACGT" is the identity matrix: row r is base ALPHABET[r].
    assert torch.equal(X[0], torch.eye(4))
    # columns of "TTGA": T, T, G, A
    assert torch.equal(X[1], torch.tensor(
        [[0, 0, 0, 1],   # A
         [0, 0, 0, 0],   # C
         [0, 0, 1, 0],   # G
         [1, 1, 0, 0]],  # T
        dtype=torch.float32))
    # every column of an ACGT-only sequence holds exactly one 1
    assert torch.equal(X.sum(dim=1), torch.ones(2, 4))


def test_single_string_is_one_sequence():
    X = one_hot_encode("GATTACA")
    assert X.shape == (1, 4, 7)
    assert one_hot_decode(X) == ["GATTACA"]


def test_lower_case_equals_upper_case():
    assert torch.equal(one_hot_encode(["acgtn"]), one_hot_encode(["ACGTN"]))


def test_n_is_an_all_zero_column():
    X = one_hot_encode(["ANnT"])
    assert X[0, :, 1].sum() == 0 and X[0, :, 2].sum() == 0
    assert X[0, 0, 0] == 1 and X[0, 3, 3] == 1
    assert one_hot_decode(X) == ["ANNT"]


def test_decode_round_trip():
    sequences = ["ACGTNACGTT", "NNNNNNNNNN", "ttttgggcca".upper()]
    assert one_hot_decode(one_hot_encode(sequences)) == sequences


def test_decode_by_argmax_of_scores():
    scores = torch.tensor([[[0.1, -1.0], [0.7, -2.0], [0.2, -3.0], [0.0, -0.5]]])
    # column 0: C wins; column 1: all negative -> treated as N
    assert one_hot_decode(scores) == ["CN"]


@pytest.mark.parametrize("bad", ["ACGX", "AC-T", "ACUT", "AC T", "ACGé"])
def test_other_characters_are_refused(bad):
    with pytest.raises(ValueError, match="position 4|position 3"):
        one_hot_encode(["ACGT", bad])
    codes, sequence, position = encode_codes(["ACGT", bad])
    assert sequence == 1
    assert position == bad.index(next(c for c in bad if c.upper() not in "ACGTN"))


def test_error_names_sequence_and_position():
    with pytest.raises(ValueError, match=r"sequence 2 .*'X'.*position 3"):
        one_hot_encode(["ACGT", "ACXT"])


def test_ragged_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        one_hot_encode(["ACGT", "ACG"])


def test_encode_codes_values():
    codes, sequence, position = encode_codes(["ACGTN", "acgtn"])
    assert sequence is None and position is None
    assert codes.dtype == np.uint8
    np.testing.assert_array_equal(codes, [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]])


def test_empty_list():
    codes, sequence, position = encode_codes([])
    assert codes.shape == (0, 0) and sequence is None
