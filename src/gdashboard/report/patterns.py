"""The TF-MoDISco rows beside Table 4: per model and experiment, the first pattern that
matches the TF, its co-factors, and whether the 9-bp saliency windows find the TF too."""

from __future__ import annotations

from typing import Mapping, Sequence

from scipy import stats

from gdashboard.models.catalogue import model_order

# A model's 9-bp saliency windows "find" the TF when they match its JASPAR motif
# (Tomtom p < 0.05, Table 4's criterion) more often than the same windows cut from
# dinucleotide-shuffled positives (the chance count gdash motifs records): one-sided
# Fisher exact test on matches of positives, p < 0.05. A pattern-level criterion for
# TF-MoDISco is a pattern matching the TF at Tomtom q < 0.05.
WINDOWS_FIND_P = 0.05


def _windows_find(motif: Mapping | None) -> tuple[int | None, int | None, float | None]:
    if not motif or "saliency" not in motif["methods"] or not motif.get("chance"):
        return None, None, None
    matches, of = motif["methods"]["saliency"]["matches"], motif["methods"]["saliency"]["of"]
    chance = motif["chance"]["matches"]
    if matches is None or chance is None or not of:
        return matches, chance, None
    table = [[matches, of - matches], [chance, motif["chance"]["of"] - chance]]
    return matches, chance, float(stats.fisher_exact(table, alternative="greater")[1])


def pattern_rows(patterns: Sequence[Mapping], motifs: Sequence[Mapping] = ()) -> list[dict]:
    """One row per (experiment, model, seed) with TF-MoDISco patterns, beside Table 4.

    Columns: ``experiment``, ``tf``, ``model``, ``seed``, ``attribution``,
    ``n_sequences``, ``n_patterns``, ``tf_in_jaspar``, ``first_tf_rank``,
    ``first_tf_q``, ``first_tf_seqlets`` (the first pattern matching the TF's JASPAR
    motif at q < 0.05; None when none does), ``cofactors`` (the other TFs its patterns
    match, ``;``-separated), ``family`` (matches of the TF's own JASPAR family), and from
    the same model's ``motifs.json`` where present:
    ``window_matches`` and ``window_chance`` (saliency windows matching the TF, and
    the same for shuffled windows), ``window_p`` (one-sided Fisher test of the two)
    and ``windows_find_tf`` (``window_p < 0.05``).
    """
    by_key = {(m["experiment"], m["model"], m["seed"]): m for m in motifs}
    rows = []
    for result in sorted(patterns, key=lambda r: (r["experiment"], model_order(r["model"]), str(r["seed"]))):
        first = result.get("first_tf_pattern")
        matches, chance, p = _windows_find(by_key.get((result["experiment"], result["model"], result["seed"])))
        rows.append(
            {
                "experiment": result["experiment"],
                "tf": result.get("tf"),
                "model": result["model"],
                "seed": result["seed"],
                "attribution": result["attribution"],
                "n_sequences": result.get("n_sequences"),
                "n_patterns": len(result["patterns"]),
                "tf_in_jaspar": bool(result.get("tf_in_jaspar")),
                "first_tf_rank": first["rank"] if first else None,
                "first_tf_q": first.get("q") if first else None,
                "first_tf_seqlets": first.get("n_seqlets") if first else None,
                "cofactors": ";".join(result.get("cofactors") or []),
                "family": ";".join(result.get("family") or []),
                "window_matches": matches,
                "window_chance": chance,
                "window_p": p,
                "windows_find_tf": None if p is None else p < WINDOWS_FIND_P,
            }
        )
    return rows


def pattern_found(rows: Sequence[Mapping]) -> list[dict]:
    """Per model: of the TFs with a JASPAR motif, how many TF-MoDISco finds (a pattern
    matching the TF in any of its experiments) and how many the 9-bp windows find
    (among the TFs that have window results too)."""
    summary = []
    for model in sorted({r["model"] for r in rows}, key=model_order):
        mine = [r for r in rows if r["model"] == model and r["tf_in_jaspar"]]
        tfs = sorted({r["tf"] for r in mine})
        with_windows = sorted({r["tf"] for r in mine if r["windows_find_tf"] is not None})
        summary.append(
            {
                "model": model,
                "tfs": len(tfs),
                "modisco_finds": len({r["tf"] for r in mine if r["first_tf_rank"] is not None}),
                "tfs_with_windows": len(with_windows),
                "windows_find": len({r["tf"] for r in mine if r["windows_find_tf"]}),
                "modisco_finds_of_those": len(
                    {r["tf"] for r in mine if r["first_tf_rank"] is not None and r["tf"] in with_windows}
                ),
            }
        )
    return summary
