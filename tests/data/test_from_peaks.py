"""Peaks and a genome in, a dataset out; variants scored: on a synthetic genome made here.

The genome: four chromosomes of random sequence in blocks of low and high G+C, GATA1's JASPAR
consensus planted at known loci in the G+C-rich blocks, one narrowPeak peak per site (summit
on the site), plus a peak too near a chromosome's end and one in a run of N. chr4 is the test
chromosome.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from gdashboard.cli import main
from gdashboard.data.from_peaks import dataset_from_peaks
from gdashboard.data.genome import gc_fraction

CHROMOSOMES = ("chr1", "chr2", "chr3", "chr4")
SIZE = 40_000
BLOCK = 5_000
LENGTH = 101


def consensus() -> str:
    from gdashboard.data.jaspar import motif_by_id
    from gdashboard.data.simulate import GATA_MATRIX_ID

    return "".join("ACGT"[i] for i in motif_by_id(GATA_MATRIX_ID).probabilities().argmax(axis=0))


class Case:
    def __init__(self, root: Path, chromosomes=CHROMOSOMES):
        rng = np.random.default_rng(0)
        self.root, self.site = root, consensus()
        self.sequences, self.sites = {}, []
        for chrom in chromosomes:
            blocks = []
            for block in range(SIZE // BLOCK):
                gc = 0.65 if block % 2 else 0.35
                p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
                blocks.append("".join(rng.choice(list("ACGT"), size=BLOCK, p=p)))
            sequence = list("".join(blocks))
            for block in range(1, SIZE // BLOCK, 2):  # the G+C-rich blocks
                for centre in range(block * BLOCK + 300, (block + 1) * BLOCK - 300, 400):
                    start = centre - len(self.site) // 2
                    sequence[start : start + len(self.site)] = self.site
                    self.sites.append((chrom, centre))
            self.sequences[chrom] = "".join(sequence)
        # A run of N on chr2 with a peak inside it.
        chr2 = self.sequences["chr2"]
        self.sequences["chr2"] = chr2[:1000] + "N" * 300 + chr2[1300:]
        self.genome = root / "genome.fa"
        self.genome.write_text("".join(f">{c}\n" + _wrap(s) for c, s in self.sequences.items()))
        lines = [_peak(chrom, centre) for chrom, centre in self.sites]
        lines.append(_peak("chr1", 20))  # its window runs off the chromosome
        lines.append(_peak("chr2", 1150))  # its window is all N
        self.peaks = root / "peaks.narrowPeak.gz"
        with gzip.open(self.peaks, "wt") as handle:
            handle.write("track name=test\n" + "".join(lines))


def _wrap(sequence: str, width: int = 60) -> str:
    return "".join(sequence[i : i + width] + "\n" for i in range(0, len(sequence), width))


def _peak(chrom: str, centre: int) -> str:
    start = max(centre - 100, 0)
    return f"{chrom}\t{start}\t{centre + 100}\tpeak\t0\t.\t5.0\t-1\t-1\t{centre - start}\n"


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Case:
    return Case(tmp_path_factory.mktemp("genome"))


def _read(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines()[1:]]


def expected_locus(chrom: str, centre: int) -> str:
    start = centre - LENGTH // 2
    return f"{chrom}:{start}-{start + LENGTH}(+)"


def test_the_dataset_holds_exactly_the_expected_windows_split_by_chromosome(case, tmp_path):
    summary = dataset_from_peaks(case.peaks, case.genome, tmp_path, test_chroms=["chr4"], seed=1)
    train, test = _read(tmp_path / "train.tsv"), _read(tmp_path / "test.tsv")
    for rows, wanted in ((train, lambda c: c != "chr4"), (test, lambda c: c == "chr4")):
        positives = {row[0] for row in rows if row[1] == "1"}
        assert positives == {expected_locus(c, x) for c, x in case.sites if wanted(c)}
        for row in rows:
            assert wanted(row[0].split(":")[0])  # no test window on a training chromosome, nor the reverse
            assert len(row[2]) == LENGTH
    # The window's bases are the genome's, site in the middle.
    first = next(row for row in train if row[1] == "1")
    chrom, span = first[0].split(":")[0], first[0].split(":")[1].split("(")[0]
    start, end = map(int, span.split("-"))
    assert first[2] == case.sequences[chrom][start:end] and case.site in first[2]
    # One shuffled negative per positive, same composition.
    negatives = [row for row in train if row[1] == "0"]
    assert len(negatives) == summary["positives"]["train"] and all(r[0].endswith(":shuffled") for r in negatives)
    assert summary["skipped"] == {"positive mostly N": 1, "positive runs off its chromosome": 1}
    assert json.loads((tmp_path / "summary.json").read_text()) == summary


def test_gc_matched_negatives_follow_the_positives_gc_and_avoid_peaks(case, tmp_path):
    summary = dataset_from_peaks(case.peaks, case.genome, tmp_path, negatives="gc", test_chroms=["chr4"], seed=2)
    rows = _read(tmp_path / "train.tsv")
    positives = gc_fraction([r[2] for r in rows if r[1] == "1"])
    negatives = gc_fraction([r[2] for r in rows if r[1] == "0"])
    assert len(negatives) == len(positives)
    # The positives sit in G+C-rich blocks; matched negatives have their distribution...
    assert stats.ks_2samp(positives, negatives).pvalue > 0.05
    # ...which random windows of the same chromosomes do not.
    rng = np.random.default_rng(3)
    random_windows = [
        case.sequences[c][s : s + LENGTH] for c in ("chr1", "chr3") for s in rng.integers(0, SIZE - LENGTH, 300)
    ]
    assert stats.ks_2samp(positives, gc_fraction(random_windows)).pvalue < 1e-6
    for row in rows:
        if row[1] == "0":
            chrom, span = row[0].split(":")[0], row[0].split(":")[1].split("(")[0]
            start = int(span.split("-")[0])
            assert all(abs(start + LENGTH // 2 - x) >= 150 for c, x in case.sites if c == chrom)  # no peak overlap
    assert summary["mean_gc"]["train"]["negatives"] == pytest.approx(summary["mean_gc"]["train"]["positives"], abs=0.02)


def test_flank_negatives_lie_beside_their_peaks(case, tmp_path):
    dataset_from_peaks(case.peaks, case.genome, tmp_path, negatives="flank", test_chroms=["chr4"], flank_distance=200)
    rows = _read(tmp_path / "test.tsv")
    negatives = [r for r in rows if r[1] == "0"]
    assert negatives and all(r[0].startswith("chr4:") for r in negatives)
    starts = sorted(int(r[0].split(":")[1].split("-")[0]) for r in negatives)
    assert all(any(abs(s + LENGTH // 2 - x) == 200 for c, x in case.sites if c == "chr4") for s in starts)


@pytest.mark.parametrize(
    "name, text, message, line",
    [
        ("short.bed", "chr1\t100\n", "needs chrom, start and end", 1),
        ("letters.bed", "chr1\t100\t300\nchr1\tten\t300\n", "must be integers", 2),
        ("reversed.bed", "chr1\t300\t100\n", "0 <= start < end", 1),
        ("summit.narrowPeak", "chr1\t100\t300\tp\t0\t.\t1\t-1\t-1\tmid\n", "summit (column 10)", 1),
        ("outside.narrowPeak", "chr1\t100\t300\tp\t0\t.\t1\t-1\t-1\t500\n", "outside the peak", 1),
        ("unknown.bed", "chr1\t100\t300\nchrX\t100\t300\n", "chromosome 'chrX' is not in the genome", 2),
    ],
)
def test_malformed_peak_lines_are_one_line_errors(case, tmp_path, capsys, name, text, message, line):
    peaks = tmp_path / name
    peaks.write_text(text)
    out = tmp_path / "o"
    code = main(["data", "from-peaks", "--peaks", str(peaks), "--genome", str(case.genome), "--out", str(out)])
    error = capsys.readouterr().err.strip()
    assert code == 1 and len(error.splitlines()) == 1
    assert f"{peaks}, line {line}: " in error and message in error
    assert not (tmp_path / "o").exists()  # nothing half-written


@pytest.mark.parametrize(
    "text, message, line",
    [
        (">chr1\nACGTACGTAC\nACG\nACGTACGTAC\n", "Line length of fasta file is not consistent", 3),
        ("ACGT\n>chr1\nACGT\n", "Unexpected text before the first sequence definition line", 1),
        (">chr1\nACGT\n>chr1\nACGT\n", 'Duplicate key "chr1"', None),
    ],
)
def test_a_malformed_genome_is_a_one_line_error(tmp_path, capsys, text, message, line):
    genome = tmp_path / "bad.fa"
    genome.write_text(text)
    peaks = tmp_path / "p.bed"
    peaks.write_text("chr1\t1\t3\n")
    code = main(["data", "from-peaks", "--peaks", str(peaks), "--genome", str(genome), "--out", str(tmp_path / "o")])
    error = capsys.readouterr().err.strip()
    assert code == 1 and len(error.splitlines()) == 1 and message in error
    assert (f"{genome}, line {line}: " if line else f"{genome}: ") in error


def test_a_bgzipped_genome_and_an_exclusion_list(case, tmp_path):
    from Bio import bgzf

    genome = tmp_path / "genome.fa.gz"
    with bgzf.BgzfWriter(str(genome), "wb") as handle:
        handle.write(case.genome.read_bytes())
    # Exclude all of chr1 but its G+C-rich second block: every chr1 negative must come from there.
    exclude = tmp_path / "blacklist.bed"
    exclude.write_text(f"chr1\t0\t{BLOCK}\nchr1\t{2 * BLOCK}\t{SIZE}\n")
    dataset_from_peaks(case.peaks, genome, tmp_path / "out", negatives="gc", test_chroms=["chr4"], exclude=exclude)
    negatives = [r for r in _read(tmp_path / "out" / "train.tsv") if r[1] == "0" and r[0].startswith("chr1:")]
    assert negatives
    for row in negatives:
        start, end = map(int, row[0].split(":")[1].split("(")[0].split("-"))
        assert BLOCK <= start and end <= 2 * BLOCK
        assert row[2] == case.sequences["chr1"][start:end]


# ----------------------------------------------------------------------------- variants


@pytest.fixture(scope="module")
def trained(case, tmp_path_factory):
    """small-cnn trained on the synthetic genome's dataset (seconds)."""
    from gdashboard.runs import train_run
    from gdashboard.train_options import TrainOptions

    root = tmp_path_factory.mktemp("trained")
    dataset_from_peaks(case.peaks, case.genome, root / "data", test_chroms=["chr4"], seed=0)
    metrics = train_run(
        root / "data" / "train.tsv",
        root / "data" / "test.tsv",
        "small-cnn",
        root / "run",
        TrainOptions(epochs=15, batch_size=32, learning_rate=3e-3),
        progress=False,
    )
    assert metrics["test_auc"] > 0.9  # the planted site is all there is to learn
    return root / "run"


def informative_position() -> int:
    """The motif's most informative column (where a substitution costs the site most)."""
    from gdashboard.data.jaspar import motif_by_id
    from gdashboard.data.simulate import GATA_MATRIX_ID

    p = motif_by_id(GATA_MATRIX_ID).probabilities()
    return int((2 + (p * np.log2(p)).sum(axis=0)).argmax())


def _vcf(case, path: Path, test_chrom: str = "chr4") -> tuple[list[str], list[str]]:
    """Per test-chromosome site: a SNV of the site's most informative base (destroying) and
    one 40 bp away, still inside the window (neutral)."""
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    destroying, neutral = [], []
    core = informative_position()
    for number, (chrom, centre) in enumerate(x for x in case.sites if x[0] == test_chrom):
        at = centre - len(case.site) // 2 + core
        ref = case.sequences[chrom][at]
        lines.append(f"{chrom}\t{at + 1}\tdestroy{number}\t{ref}\t{'G' if ref != 'G' else 'C'}\t.\t.\t.")
        destroying.append(f"destroy{number}")
        far = centre + 40
        ref = case.sequences[chrom][far]
        lines.append(f"{chrom}\t{far + 1}\tneutral{number}\t{ref}\t{'A' if ref != 'A' else 'C'}\t.\t.\t.")
        neutral.append(f"neutral{number}")
    path.write_text("\n".join(lines) + "\n")
    return destroying, neutral


def test_variants_that_destroy_a_site_lower_the_score_and_neutral_ones_do_not(case, trained, tmp_path, capsys):
    vcf = tmp_path / "variants.vcf"
    destroying, neutral = _vcf(case, vcf)
    out = tmp_path / "effects.tsv"
    assert main(["variants", str(trained), "--vcf", str(vcf), "--genome", str(case.genome), "--out", str(out)]) == 0
    rows = {r[0]: r for r in _read(out)}
    difference = {name: float(row[8]) for name, row in rows.items()}
    destroyed = np.array([difference[n] for n in destroying])
    kept = np.array([difference[n] for n in neutral])
    # Judged against the neutral variants, on the model's own scale (a model stopped at its
    # first perfect validation epoch is not confident: bound and unbound test sequences are
    # 0.1 apart in log-odds here): every destroying variant lowers the score more than any
    # neutral one moves it, and the neutral ones move it a tenth as much.
    assert (destroyed < 0).all() and destroyed.max() < kept.min()
    assert np.median(np.abs(kept)) < 0.1 * np.median(np.abs(destroyed))
    # The saliency at a destroyed site's base was high before and falls after.
    assert np.median([float(rows[n][9]) - float(rows[n][10]) for n in destroying]) > 0


def test_the_same_pair_scored_from_sequences(case, trained, tmp_path):
    chrom, centre = next(x for x in case.sites if x[0] == "chr4")
    start = centre - LENGTH // 2
    ref = case.sequences[chrom][start : start + LENGTH]
    at = LENGTH // 2 - len(case.site) // 2 + informative_position()
    alt = ref[:at] + ("G" if ref[at] != "G" else "C") + ref[at + 1 :]
    out = tmp_path / "pair.tsv"
    assert main(["variants", str(trained), "--ref", ref, "--alt", alt, "--out", str(out)]) == 0
    (row,) = _read(out)
    assert row[2] == str(at + 1) and float(row[8]) < 0


@pytest.mark.parametrize(
    "body, message, line",
    [
        ("chr4\t100\t.\tA\n", "needs CHROM, POS, ID, REF and ALT", 2),
        ("chr4\tten\t.\tA\tC\n", "POS must be an integer", 2),
        ("chr4\t100\t.\tX\tC\n", "REF must be bases", 2),
        ("chrZ\t100\t.\tA\tC\n", "chromosome 'chrZ' is not in the genome", 2),
    ],
)
def test_malformed_vcf_lines_are_one_line_errors(case, trained, tmp_path, capsys, body, message, line):
    vcf = tmp_path / "bad.vcf"
    vcf.write_text("#CHROM\tPOS\tID\tREF\tALT\n" + body)
    out = tmp_path / "o.tsv"
    assert main(["variants", str(trained), "--vcf", str(vcf), "--genome", str(case.genome), "--out", str(out)]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and f"{vcf}, line {line}: " in error and message in error
    assert not out.exists()


def test_a_ref_that_disagrees_with_the_genome_names_the_vcf_line(case, trained, tmp_path, capsys):
    base = case.sequences["chr4"][5000]
    wrong = "A" if base != "A" else "C"
    vcf = tmp_path / "mismatch.vcf"
    vcf.write_text(f"#CHROM\tPOS\tID\tREF\tALT\nchr4\t5001\tv1\t{base}\tG\nchr4\t5001\tv2\t{wrong}\tG\n")
    out = tmp_path / "o"
    code = main(["variants", str(trained), "--vcf", str(vcf), "--genome", str(case.genome), "--out", str(out)])
    error = capsys.readouterr().err.strip()
    assert code == 1 and f"{vcf}, line 3: REF {wrong} disagrees with the genome's {base} at chr4:5001" in error


def test_indels_are_scored_and_variants_that_do_not_fit_are_counted(case, trained, tmp_path, capsys):
    chr4 = case.sequences["chr4"]
    vcf = tmp_path / "indels.vcf"
    vcf.write_text(
        "#CHROM\tPOS\tID\tREF\tALT\n"
        f"chr4\t6001\tdeletion\t{chr4[6000:6004]}\t{chr4[6000]}\n"
        f"chr4\t7001\tinsertion\t{chr4[7000]}\t{chr4[7000]}ACGT\n"
        f"chr4\t10\tedge\t{chr4[9]}\tA\n"
        "chr4\t8001\tsymbolic\tA\t<DEL>\n"
        f"chr4\t9001\tlong\t{chr4[9000]}\t{'A' * 80}\n"
    )
    out = tmp_path / "indels.tsv"
    assert main(["variants", str(trained), "--vcf", str(vcf), "--genome", str(case.genome), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert [r[0] for r in _read(out)] == ["deletion", "insertion"]
    assert "skipped 1: its window runs off the chromosome" in printed
    assert "skipped 1: symbolic or missing ALT allele '<DEL>'" in printed
    assert "skipped 1: its ALT allele reaches past the window's end" in printed
