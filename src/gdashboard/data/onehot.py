"""One-hot encoding of DNA as ``(N, 4, L)`` float32 tensors in ACGT order.

:func:`check_one_hot` is the one check of such input at a boundary (explainers,
motif tools, baselines), in the manner of scikit-learn's ``check_array``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

ALPHABET = "ACGT"

# Byte -> column index: 0..3 for ACGT (either case), 4 for N (an all-zero
# column), 255 for anything else (an error).
_LOOKUP = np.full(256, 255, dtype=np.uint8)
for _index, _base in enumerate(ALPHABET):
    _LOOKUP[ord(_base)] = _index
    _LOOKUP[ord(_base.lower())] = _index
_LOOKUP[ord("N")] = 4
_LOOKUP[ord("n")] = 4
_EYE = np.concatenate([np.eye(4, dtype=np.float32), np.zeros((1, 4), np.float32)])


def encode_codes(sequences: Sequence[str]) -> tuple[np.ndarray, int | None, int | None]:
    """Map equal-length sequences to an ``(N, L)`` uint8 array of codes 0..4.

    Returns the codes and, when a character outside ACGTN occurs, the index of the
    first offending sequence and the position in it (else ``None, None``).
    """
    if len(sequences) == 0:
        return np.zeros((0, 0), np.uint8), None, None
    length = len(sequences[0])
    raw = np.frombuffer("".join(sequences).encode("latin-1", "replace"), dtype=np.uint8)
    codes = _LOOKUP[raw].reshape(len(sequences), length)
    bad = np.argwhere(codes == 255)
    if len(bad):
        return codes, int(bad[0, 0]), int(bad[0, 1])
    return codes, None, None


def one_hot_encode(sequences: Sequence[str] | str) -> torch.Tensor:
    """One-hot encode DNA sequences of one length.

    Parameters
    ----------
    sequences : str or sequence of str
        Sequences over ``ACGTN`` (any case). ``N`` becomes an all-zero column.

    Returns
    -------
    torch.Tensor, shape ``(N, 4, L)``, float32, rows in ACGT order.
    """
    if isinstance(sequences, str):
        sequences = [sequences]
    lengths = {len(s) for s in sequences}
    if len(lengths) > 1:
        raise ValueError(f"sequences have different lengths: {sorted(lengths)[:5]}")
    codes, bad_sequence, bad_position = encode_codes(sequences)
    if bad_sequence is not None:
        char = sequences[bad_sequence][bad_position]
        raise ValueError(
            f"sequence {bad_sequence + 1} has the character {char!r} at position {bad_position + 1}; "
            "only A, C, G, T and N are allowed"
        )
    return torch.from_numpy(np.ascontiguousarray(_EYE[codes].transpose(0, 2, 1)))


def check_one_hot(
    X,
    *,
    name: str = "X",
    dtype: torch.dtype | None = torch.float32,
    device: str | torch.device | None = None,
    min_length: int = 1,
) -> torch.Tensor:
    """``X`` checked and converted: a detached ``(N, 4, L)`` tensor of ``dtype`` on ``device``.

    The shape is what is checked: one-hot columns (ACGT rows, an all-zero
    column for ``N``) are the convention, but soft values such as a shuffled
    or interpolated input pass, as long as they are finite.

    Parameters
    ----------
    X : torch.Tensor, numpy.ndarray or nested lists
        Sequences in ACGT order, shape ``(N, 4, L)``. ``N`` may be 0.
    name : str
        What to call ``X`` in an error message.
    dtype : torch.dtype or None
        The returned tensor's dtype; ``None`` keeps the input's.
    device : str or torch.device, optional
        Where the returned tensor lives; the CPU by default.
    min_length : int
        The shortest sequence length ``L`` accepted.

    Returns
    -------
    torch.Tensor, shape ``(N, 4, L)``
        Detached from any graph. No copy is made when ``X`` already has the
        dtype and device (a numpy array then shares its memory).

    Raises
    ------
    ValueError
        In one line naming ``name`` and the shape found, when ``X`` is not
        numeric, not ``(N, 4, L)``, shorter than ``min_length`` or holds a
        non-finite value.
    """
    if isinstance(X, np.ndarray) and any(stride < 0 for stride in X.strides):
        X = X.copy()  # torch takes no negative strides (a reversed view)
    try:
        tensor = torch.as_tensor(X)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(
            f"{name} must be a numeric array of shape (N, 4, L), got {type(X).__name__} ({str(error).splitlines()[0]})"
        ) from None
    shape = tuple(tensor.shape)
    if tensor.ndim != 3 or shape[1] != 4:
        raise ValueError(f"{name} must be one-hot sequences of shape (N, 4, L), got shape {shape}")
    if shape[2] < min_length:
        raise ValueError(f"{name} must hold sequences of length at least {min_length}, got shape {shape}")
    if (tensor.is_floating_point() or tensor.is_complex()) and not bool(torch.isfinite(tensor).all()):
        raise ValueError(f"{name} holds a non-finite value (shape {shape})")
    return tensor.detach().to(device=device if device is not None else "cpu", dtype=dtype)


def one_hot_decode(X: torch.Tensor) -> list[str]:
    """Turn ``(N, 4, L)`` one-hot (or any score matrix, by argmax) back into strings.

    All-zero columns decode to ``N``.
    """
    array = X.detach().cpu().numpy()
    index = array.argmax(axis=1)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[index]
    letters[array.max(axis=1) <= 0] = ord("N")
    return [row.tobytes().decode() for row in letters]


def reverse_complement(X: torch.Tensor) -> torch.Tensor:
    """The other strand of one-hot ``(..., 4, L)`` sequences, read 5' to 3'.

    In ACGT order the complement is the base axis reversed (A<->T, C<->G) and the
    reverse is the position axis reversed; an all-zero ``N`` column stays ``N``.
    The same map takes an attribution ``(..., 4, L)`` of the other strand back onto
    this one.
    """
    return X.flip(-2).flip(-1)
