"""One-hot encoding: (N, 4, L) float32 in ACGT order, N as an all-zero column."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdashboard.data.onehot import ALPHABET, check_one_hot, encode_codes, one_hot_decode, one_hot_encode


def test_shape_dtype_and_acgt_order():
    X = one_hot_encode(["ACGT", "TTGA"])
    assert X.shape == (2, 4, 4)
    assert X.dtype == torch.float32
    assert ALPHABET == "ACGT"
    # "ACGT" is the identity matrix: row r is base ALPHABET[r].
    assert torch.equal(X[0], torch.eye(4))
    # columns of "TTGA": T, T, G, A
    assert torch.equal(
        X[1],
        torch.tensor(
            [
                [0, 0, 0, 1],  # A
                [0, 0, 0, 0],  # C
                [0, 0, 1, 0],  # G
                [1, 1, 0, 0],
            ],  # T
            dtype=torch.float32,
        ),
    )
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


# ----------------------------------------------------------------------------- check_one_hot


def test_check_one_hot_accepts_tensors_arrays_and_lists():
    X = one_hot_encode(["ACGT", "TTGA"])
    checked = check_one_hot(X)
    assert checked.dtype == torch.float32 and checked.device.type == "cpu"
    assert checked.data_ptr() == X.data_ptr()  # already right: no copy
    from_numpy = check_one_hot(X.numpy().astype(np.float64))
    assert from_numpy.dtype == torch.float32 and torch.equal(from_numpy, X)
    assert torch.equal(check_one_hot(X.tolist()), X)
    # A reversed view (negative strides) is copied rather than refused.
    assert torch.equal(check_one_hot(X.numpy()[:, :, ::-1]), X.flip(2))
    assert check_one_hot(np.zeros((0, 4, 5))).shape == (0, 4, 5)


def test_check_one_hot_dtype_device_and_detach():
    X = one_hot_encode(["ACGT"]).requires_grad_(True)
    checked = check_one_hot(X, dtype=torch.float64, device="cpu")
    assert checked.dtype == torch.float64 and not checked.requires_grad
    kept = check_one_hot(np.zeros((1, 4, 3), np.uint8), dtype=None)
    assert kept.dtype == torch.uint8


@pytest.mark.parametrize(
    "bad, problem",
    [
        (np.zeros((4, 10)), r"shape \(N, 4, L\), got shape \(4, 10\)"),
        (np.zeros((2, 5, 10)), r"got shape \(2, 5, 10\)"),
        (np.zeros((2, 4, 0)), r"length at least 1, got shape \(2, 4, 0\)"),
        (np.full((1, 4, 3), np.nan), r"non-finite value \(shape \(1, 4, 3\)\)"),
        (torch.tensor([[[np.inf]] * 4]), "non-finite"),
        ([[[0, 1], [1]]], "numeric array"),
        (np.array(["ACGT"]), "numeric array"),
    ],
)
def test_check_one_hot_refuses_in_one_line_naming_the_input(bad, problem):
    with pytest.raises(ValueError, match=problem) as error:
        check_one_hot(bad, name="sequences")
    assert str(error.value).startswith("sequences ") and "\n" not in str(error.value)


def test_check_one_hot_min_length():
    assert check_one_hot(np.zeros((1, 4, 0)), min_length=0).shape == (1, 4, 0)
    with pytest.raises(ValueError, match="length at least 9"):
        check_one_hot(np.zeros((1, 4, 8)), min_length=9)
