"""Pasted text as a DNA sequence the models accept, and its reverse complement."""

from __future__ import annotations

# Longest sequence a pasted text may hold: the models' input length is far below it,
# and the cap keeps a stray paste of a genome from reaching the one-hot encoder.
MAX_SEQUENCE_LENGTH = 10_000
ALLOWED = frozenset("ACGTN")
COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def check_sequence(text: str, lengths: set[int]) -> str:
    """Turn pasted text into a DNA sequence the models accept.

    Parameters
    ----------
    text : str
        The sequence; whitespace and line breaks anywhere are removed, and a FASTA
        header line (starting with ``>``) is dropped.
    lengths : set of int
        The lengths the models accept (:attr:`Experiment.lengths`); empty accepts any.

    Returns
    -------
    str
        The sequence in upper case, over ``ACGTN``.

    Raises
    ------
    ValueError
        With a one-line message: the sequence is empty, longer than
        :data:`MAX_SEQUENCE_LENGTH`, holds a character other than A, C, G, T or N
        (the first one and its 1-based position are named), or has a length the
        models do not accept.
    """
    if not isinstance(text, str):
        raise ValueError("the sequence must be text")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    sequence = "".join("".join(lines).split()).upper()
    if not sequence:
        raise ValueError("the sequence is empty")
    if len(sequence) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"the sequence has {len(sequence):,} bases, more than the limit of {MAX_SEQUENCE_LENGTH:,}")
    for position, char in enumerate(sequence, start=1):
        if char not in ALLOWED:
            raise ValueError(f"invalid character {char!r} at position {position}; only A, C, G, T and N are allowed")
    if lengths and len(sequence) not in lengths:
        accepted = " or ".join(str(n) for n in sorted(lengths))
        raise ValueError(f"the sequence has {len(sequence)} bases; the models accept {accepted}")
    return sequence


def reverse_complement(sequence: str) -> str:
    """The reverse complement of an ``ACGTN`` sequence (``N`` stays ``N``)."""
    return sequence.translate(COMPLEMENT)[::-1]
