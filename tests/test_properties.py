"""Property-based tests (Hypothesis) of the readers, one-hot encoding, the dinucleotide
shuffle and the reverse complement, and a time-bounded fuzz test of every reader."""

from __future__ import annotations

import gzip
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdashboard.data import one_hot_decode, one_hot_encode, read_dataset, reverse_complement
from gdashboard.errors import InputError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def datasets(draw):
    """Sequences of one length (ACGT, some N, any case) with labels holding both classes."""
    length = draw(st.integers(min_value=1, max_value=40))
    n = draw(st.integers(min_value=2, max_value=12))
    letters = st.sampled_from("ACGTNacgtn")
    sequences = [draw(st.text(letters, min_size=length, max_size=length)) for _ in range(n)]
    labels = draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n).filter(lambda v: len(set(v)) == 2))
    return sequences, labels


def _write(path: Path, kind: str, sequences, labels, crlf: bool, bom: bool, gzipped: bool) -> Path:
    end = "\r\n" if crlf else "\n"
    if kind == "fasta":
        text = "".join(f">{label}{end}{sequence}{end}" for sequence, label in zip(sequences, labels))
    elif kind == "tsv":
        text = f"id\tlabel\tsequence{end}" + "".join(
            f"s{i}\t{label}\t{sequence}{end}" for i, (sequence, label) in enumerate(zip(sequences, labels))
        )
    else:  # DeepBind's .seq
        text = f"FoldID\tEventID\tseq\tBound{end}" + "".join(
            f"A\tseq_{i}\t{sequence}\t{label}{end}" for i, (sequence, label) in enumerate(zip(sequences, labels))
        )
    data = ("\ufeff" if bom else "").encode() + text.encode()
    if gzipped:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


@SETTINGS
@given(
    data=datasets(),
    kind=st.sampled_from(["fasta", "tsv", "seq"]),
    crlf=st.booleans(),
    bom=st.booleans(),
    gzipped=st.booleans(),
)
def test_any_valid_file_reads_back_what_was_written(tmp_path_factory, data, kind, crlf, bom, gzipped):
    sequences, labels = data
    suffix = {"fasta": ".fa", "tsv": ".tsv", "seq": ".seq"}[kind]
    path = _write(tmp_path_factory.mktemp("round") / f"file{suffix}", kind, sequences, labels, crlf, bom, gzipped)
    dataset = read_dataset(path)
    assert one_hot_decode(dataset.X) == [s.upper() for s in sequences]
    assert dataset.labels.tolist() == labels and dataset.n_shuffled == 0


@SETTINGS
@given(st.lists(st.text("ACGTN", min_size=7, max_size=7), min_size=1, max_size=8))
def test_one_hot_decode_inverts_encode(sequences):
    X = one_hot_encode(sequences)
    assert X.shape == (len(sequences), 4, 7) and one_hot_decode(X) == sequences
    assert torch.equal(X.sum(1), torch.tensor([[0.0 if b == "N" else 1.0 for b in s] for s in sequences]))


@SETTINGS
@given(st.lists(st.text("ACGTN", min_size=9, max_size=9), min_size=1, max_size=6))
def test_reverse_complement_is_an_involution_and_complements_the_text(sequences):
    X = one_hot_encode(sequences)
    assert torch.equal(reverse_complement(reverse_complement(X)), X)
    complement = str.maketrans("ACGTN", "TGCAN")
    assert one_hot_decode(reverse_complement(X)) == [s.translate(complement)[::-1] for s in sequences]


@SETTINGS
@given(st.lists(st.text("ACGT", min_size=12, max_size=30), min_size=1, max_size=4), st.integers(0, 2**16))
def test_the_dinucleotide_shuffle_keeps_mono_and_dinucleotide_counts_and_its_seed(sequences, seed):
    from gdashboard.data.shuffle import dinucleotide_shuffle

    length = min(map(len, sequences))
    sequences = [s[:length] for s in sequences]
    X = one_hot_encode(sequences)
    shuffled = one_hot_decode(dinucleotide_shuffle(X, seed=seed))
    for before, after in zip(sequences, shuffled):
        assert Counter(before) == Counter(after)
        assert Counter(zip(before, before[1:])) == Counter(zip(after, after[1:]))
    assert one_hot_decode(dinucleotide_shuffle(X, seed=seed)) == shuffled


@pytest.fixture(scope="module")
def averaged_model():
    from gdashboard.models import build_model
    from gdashboard.models.averaged import StrandAverage

    torch.manual_seed(0)
    return StrandAverage(build_model("small-cnn")).eval()


@SETTINGS
@given(st.lists(st.text("ACGT", min_size=40, max_size=40), min_size=1, max_size=4))
def test_an_rc_averaged_model_and_its_saliency_are_strand_symmetric(averaged_model, sequences):
    from gdashboard.explain.saliency import saliency_map

    X = one_hot_encode(sequences)
    with torch.no_grad():
        assert torch.equal(averaged_model(X), averaged_model(reverse_complement(X)))
    _, forward = saliency_map(averaged_model, X)
    _, other = saliency_map(averaged_model, reverse_complement(X))
    np.testing.assert_allclose(forward, other[:, ::-1, ::-1], rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------------------- fuzz

FUZZ_SECONDS = int(__import__("os").environ.get("GDASH_FUZZ_SECONDS", 20))  # in all, shared by the readers below


def _readers(tmp: Path):
    from gdashboard.data.genome import read_intervals
    from gdashboard.data.vcf import read_vcf
    from gdashboard.results import locate_data_file, normalise_run, read_config, read_json

    def metrics(path):
        return normalise_run(read_json(path), path)

    def config(path):
        # A run folder's config.json, then the test file it names looked for.
        rundir = path.parent / "fuzz-run"
        rundir.mkdir(exist_ok=True)
        (rundir / "config.json").write_bytes(path.read_bytes())
        return locate_data_file(read_config(rundir), rundir, "test")

    seeds = {
        "fasta": (read_dataset, b">1\nACGTACGT\n>0\nTTGACCAA\n"),
        "tsv": (read_dataset, b"id\tlabel\tsequence\na\t1\tACGTAC\nb\t0\tTTGACA\n"),
        "seq": (read_dataset, b"FoldID\tEventID\tseq\tBound\nA\tx\tACGTAC\t1\nA\ty\tGGCCAA\t0\n"),
        "bed": (read_intervals, b"chr1\t10\t50\tp\t0\t.\t1\t-1\t-1\t20\n"),
        "vcf": (read_vcf, b"#CHROM\tPOS\tID\tREF\tALT\nchr1\t5\t.\tA\tC,G\n"),
        "json": (metrics, b'{"experiment": "E", "preset": "small-cnn", "test_auc": 0.9}'),
        "config": (
            config,
            b'{"preset": "kmer", "baseline": {}, "sequence_length": 6, "test_file": "t.tsv", '
            b'"data": {"test": {"relative": "../fuzz.tsv", "absolute": null, "sha256": "00"}}}',
        ),
    }
    return {name: (reader, seed, tmp / f"fuzz.{name}") for name, (reader, seed) in seeds.items()}


def _mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.3 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.5:
            data[rng.randint(0, len(data)) : rng.randint(0, len(data))] = b""
        elif choice < 0.7:
            position = rng.randint(0, len(data))
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif choice < 0.8:
            data = bytearray(gzip.compress(bytes(data))[: rng.randint(0, 40)])  # a truncated gzip
        else:
            position = rng.randint(0, len(data))
            data[position:position] = rng.choice([b"\n", b"\t", b"\r\n", b">", b"\x00", b"\xef\xbb\xbf", b","])
    return bytes(data)


def test_no_reader_lets_anything_but_its_own_error_escape_random_and_mutated_bytes(tmp_path):
    rng = random.Random(0)
    readers = _readers(tmp_path)
    deadline = time.monotonic() + FUZZ_SECONDS
    tried = Counter()
    while time.monotonic() < deadline:
        for name, (reader, seed, path) in readers.items():
            noise = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
            data = _mutate(rng, seed) if rng.random() < 0.8 else noise
            path.write_bytes(data)
            try:
                reader(path)
            except InputError:
                pass
            except Exception as error:  # anything else is a bug: say which input did it
                pytest.fail(f"{name} reader raised {type(error).__name__}: {error} on {data!r}")
            tried[name] += 1
    assert min(tried.values()) > 20
