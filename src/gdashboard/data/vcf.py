"""Variants from a VCF file (plain or gzipped; VCF 4.x's first five columns).

One :class:`Variant` per ALT allele (a multi-allelic line gives several). Symbolic alleles
(``<DEL>``, ``*``, breakends) cannot be written into a sequence: they are kept with a
``skip`` reason for the caller to count. Every malformed line is an
:class:`~gdashboard.errors.InputError` naming the file and the line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from gdashboard.data.genome import numbered_lines
from gdashboard.errors import InputError

_BASES = re.compile(r"^[ACGTNacgtn]+$")


@dataclass(frozen=True)
class Variant:
    """``pos`` is 1-based, as in the VCF; ``line`` where it was read."""

    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    line: int
    skip: str | None = None

    @property
    def name(self) -> str:
        """The VCF's ID, or ``chrom:pos:REF>ALT`` where it has none."""
        return self.id if self.id not in ("", ".") else f"{self.chrom}:{self.pos}:{self.ref}>{self.alt}"


def read_vcf(path: str | os.PathLike) -> list[Variant]:
    """Every ALT allele of every data line, in file order.

    Raises
    ------
    InputError
        A data line with fewer than five tab-separated columns, a POS that is not a
        positive integer, a REF that is not bases, or a file without variants.
    """
    path = Path(path)
    variants = []
    for number, line in numbered_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 5:
            problem = f"a VCF line needs CHROM, POS, ID, REF and ALT (tab-separated); found {line[:60]!r}"
            raise InputError(problem, path, number)
        chrom, pos, identifier, ref, alts = (f.strip() for f in fields[:5])
        try:
            position = int(pos)
        except ValueError:
            raise InputError(f"POS must be an integer, found {pos!r}", path, number) from None
        if position < 1:
            raise InputError(f"POS must be 1 or more, found {position}", path, number)
        if not _BASES.match(ref):
            raise InputError(f"REF must be bases (ACGTN), found {ref!r}", path, number)
        for alt in alts.split(","):
            skip = None if _BASES.match(alt) else f"symbolic or missing ALT allele {alt!r}"
            variants.append(Variant(chrom, position, identifier, ref.upper(), alt.upper(), number, skip))
    if not variants:
        raise InputError("holds no variants", path)
    return variants
