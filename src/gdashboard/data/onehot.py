"""One-hot encoding of DNA as ``(N, 4, L)`` float32 tensors in ACGT order."""

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


def one_hot_decode(X: torch.Tensor) -> list[str]:
    """Turn ``(N, 4, L)`` one-hot (or any score matrix, by argmax) back into strings.

    All-zero columns decode to ``N``.
    """
    array = X.detach().cpu().numpy()
    index = array.argmax(axis=1)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[index]
    letters[array.max(axis=1) <= 0] = ord("N")
    return [row.tobytes().decode() for row in letters]
