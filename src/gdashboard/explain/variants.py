"""What a genetic variant does to binding, per model (``gdash variants``).

For each variant and model: the window of the model's length centred on the variant's first
base, read from the genome (the reference) and with the variant written in (the
alternative), their log-odds, the difference (alternative minus reference) and the saliency
at the variant's first base in each. :func:`variant_effects` is the computation, on one-hot
windows; the dashboard's variant control uses it too.

Windows: the reference window starts ``length // 2`` bases before the variant. The
alternative keeps that start: the bases before the variant, the ALT allele, then the
genome after REF, cut to the window's length, so a deletion reads further along the
chromosome and an insertion less far. A variant whose reference or alternative window
would run off its chromosome, or whose ALT allele reaches past the window's end, is
skipped and counted with the reason, as are symbolic alleles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from gdashboard.errors import InputError

COLUMNS = (
    "variant",
    "chrom",
    "pos",
    "ref",
    "alt",
    "model",
    "ref_log_odds",
    "alt_log_odds",
    "difference",
    "ref_saliency",
    "alt_saliency",
)


def variant_effects(
    model, reference: torch.Tensor, alternative: torch.Tensor, positions: Sequence[int], saliency: bool = True
) -> dict:
    """Log-odds of each reference and alternative window ``(N, 4, L)``, their difference, and
    (with ``saliency``) the saliency at ``positions[i]`` (0-based, in window ``i``) of both;
    arrays of ``(N,)``. The dashboard, which draws whole saliency tracks of its own, asks
    for the scores only."""
    from gdashboard.evaluate import predict_scores
    from gdashboard.explain.saliency import saliency_map

    ref_scores = np.asarray(predict_scores(model, reference), dtype=np.float64)
    alt_scores = np.asarray(predict_scores(model, alternative), dtype=np.float64)
    effects = {"ref_log_odds": ref_scores, "alt_log_odds": alt_scores, "difference": alt_scores - ref_scores}
    if saliency:
        positions = np.asarray(positions, dtype=np.int64)
        rows = np.arange(len(positions))
        for key, windows in (("ref_saliency", reference), ("alt_saliency", alternative)):
            effects[key] = saliency_map(model, windows)[0][rows, positions].astype(np.float64)
    return effects


@dataclass
class Windows:
    """The scored variants' windows and what was skipped (reason -> count)."""

    variants: list = field(default_factory=list)
    reference: list[str] = field(default_factory=list)
    alternative: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    skipped: dict = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def variant_windows(variants, genome, length: int, vcf_path: str | os.PathLike) -> Windows:
    """The reference and alternative window of every variant that fits (see the module).

    Raises
    ------
    InputError
        A chromosome the genome lacks, or a REF that disagrees with the genome (naming
        the VCF's line).
    """
    windows = Windows()
    for variant in variants:
        if variant.skip:
            windows.skip(variant.skip)
            continue
        genome.check_chromosome(variant.chrom, vcf_path, variant.line)
        size = genome.lengths[variant.chrom]
        at = variant.pos - 1
        start = at - length // 2
        before = at - start
        if start < 0 or at + len(variant.ref) > size or start + length > size:
            windows.skip("its window runs off the chromosome")
            continue
        found = genome.fetch(variant.chrom, at, at + len(variant.ref))
        if found != variant.ref:
            problem = f"REF {variant.ref} disagrees with the genome's {found} at {variant.chrom}:{variant.pos}"
            raise InputError(problem, vcf_path, variant.line)
        if before + len(variant.alt) > length:
            windows.skip("its ALT allele reaches past the window's end")
            continue
        after = length - before - len(variant.alt)
        resume = at + len(variant.ref)
        if resume + after > size:
            windows.skip("its alternative window runs off the chromosome")
            continue
        reference = genome.fetch(variant.chrom, start, start + length)
        alternative = reference[:before] + variant.alt + genome.fetch(variant.chrom, resume, resume + after)
        windows.variants.append(variant)
        windows.reference.append(reference)
        windows.alternative.append(alternative)
        windows.positions.append(before)
    return windows


def score_variants(
    rundirs: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    vcf: str | os.PathLike | None = None,
    genome: str | os.PathLike | None = None,
    ref: str | None = None,
    alt: str | None = None,
    rc_average: bool = False,
) -> dict:
    """Score every variant of ``vcf`` (read on ``genome``), or the one pair ``ref``/``alt``
    (two sequences of the models' length), with every run; write a TSV (:data:`COLUMNS`,
    one row per variant and model) to ``out`` atomically. Returns ``{"scored": n,
    "skipped": {reason: count}}``. ``rc_average``: score and explain both strands also with
    a run trained to score one (:meth:`gdashboard.results.Run.model`).
    """
    from gdashboard.data.onehot import one_hot_encode
    from gdashboard.fileio import write_text
    from gdashboard.results import open_run

    runs = [open_run(path) for path in rundirs]
    for run in runs:
        if not run.is_neural:
            raise InputError(f"{run.preset} is not a neural network: no saliency to give", run.path)
    lengths = {run.sequence_length for run in runs}
    if len(lengths) > 1:
        raise InputError(f"the runs read windows of different lengths ({', '.join(map(str, sorted(lengths)))})")
    length = lengths.pop()
    if (vcf is None) == (ref is None):
        raise InputError("give either --vcf with --genome, or --ref with --alt")
    if vcf is not None:
        if genome is None:
            raise InputError("--vcf needs --genome")
        from gdashboard.data.genome import Genome
        from gdashboard.data.vcf import read_vcf

        windows = variant_windows(read_vcf(vcf), Genome(genome), length, vcf)
    else:
        windows = _pair(ref, alt, length)
    lines = ["\t".join(COLUMNS)]
    if windows.variants:
        reference, alternative = one_hot_encode(windows.reference), one_hot_encode(windows.alternative)
        for run in runs:
            effects = variant_effects(run.model(rc_average=rc_average), reference, alternative, windows.positions)
            for i, variant in enumerate(windows.variants):
                described = [variant.name, variant.chrom, str(variant.pos), variant.ref, variant.alt, run.label]
                lines.append("\t".join([*described, *(f"{effects[key][i]:.6g}" for key in COLUMNS[6:])]))
    write_text(Path(out), "\n".join(lines) + "\n")
    return {"scored": len(windows.variants), "skipped": dict(sorted(windows.skipped.items()))}


def _pair(ref: str | None, alt: str | None, length: int) -> Windows:
    from gdashboard.data.vcf import Variant

    if alt is None:
        raise InputError("--ref needs --alt")
    ref, alt = ref.strip().upper(), alt.strip().upper()
    for name, sequence in (("--ref", ref), ("--alt", alt)):
        if len(sequence) != length or set(sequence) - set("ACGTN"):
            raise InputError(f"{name} must be {length} bases (ACGTN), the models' window; it has {len(sequence)}")
    changed = [i for i, (a, b) in enumerate(zip(ref, alt)) if a != b]
    position = changed[0] if changed else length // 2
    variant = Variant("sequence", position + 1, ".", ref[position], alt[position], 0)
    return Windows([variant], [ref], [alt], [position])
