"""`gdash motifs` end to end on hand-built models (real JASPAR, real Tomtom, real FIMO)."""

import csv
import json

import numpy as np
import pytest
import torch

from gdashboard.cli import main
from gdashboard.methods import METHODS, ClassOptOptions, motif_methods
from gdashboard.models import build_model
from gdashboard.models.cnn import ConvNet
from gdashboard.motifs.analysis import EXTRACTION_VERSION, MotifAnalysisOptions
from gdashboard.motifs.window_rules import WINDOW_RULES
from gdashboard.results import save_model

GATA = "AGATAA"


def _one_hot(sequence):
    X = torch.zeros(4, len(sequence))
    for j, base in enumerate(sequence):
        X["ACGT".index(base), j] = 1.0
    return X


def _gata_model():
    """One filter, +1 on AGATAA's bases and -1 elsewhere; bias -4 (a full match gives 2)."""
    model = ConvNet(n_filters=1, kernel_sizes=(6,), pool=None, dropout=0.0)
    with torch.no_grad():
        model.first_convolution.weight.copy_(2 * _one_hot(GATA)[None] - 1)
        model.first_convolution.bias.fill_(-4.0)
        model.linear.weight.copy_(torch.tensor([[-1.0], [2.0]]))
        model.linear.bias.zero_()
    return model.eval()


def _test_file(path, n_positives=30, n_negatives=10, seed=0):
    """Positives with AGATAA planted at a random place (returned), negatives without it."""
    rng = np.random.default_rng(seed)
    planted, lines = [], []
    while len(planted) < n_positives + n_negatives:
        background = "".join(rng.choice(list("ACGT"), 101))
        if GATA in background or "TTATCT" in background:
            continue
        if len(planted) < n_positives:
            start = int(rng.integers(1, 101 - len(GATA)))
            sequence = background[:start] + GATA + background[start + len(GATA) :]
            lines += [">1", sequence]
        else:
            start = None
            lines += [">0", background]
        planted.append(start)
    path.write_text("\n".join(lines) + "\n")
    return planted[:n_positives]


def _config(model_class, kwargs):
    return {
        "preset": "hand-built",
        "model_class": model_class,
        "experiment": "GATA1_hand_built",
        "tf": "GATA1",
        "sequence_length": 101,
        "seed": 0,
        "model_kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
    }


def _windows(out):
    with open(out / "windows.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_motif_method_of_the_registry_has_one_window_rule():
    assert set(WINDOW_RULES) == set(motif_methods())
    assert motif_methods(), "the registry names no motif method"


def test_motif_options_take_class_optimisations_defaults_from_the_registry():
    options = MotifAnalysisOptions()
    assert options.classopt == ClassOptOptions()
    assert options.method_options(METHODS["classopt"]) == ClassOptOptions()
    given = MotifAnalysisOptions(classopt=ClassOptOptions(steps=7, seed=3))
    assert given.method_options(METHODS["classopt"]) == ClassOptOptions(steps=7, seed=3)
    # Other methods run with their own defaults.
    assert given.method_options(METHODS["saliency"]) == METHODS["saliency"].options()


def test_motifs_of_a_gata_filter_find_the_planted_sites_and_match_gata1(tmp_path, capsys):
    run = tmp_path / "run"
    save_model(_gata_model(), run, _config("ConvNet", dict(n_filters=1, kernel_sizes=(6,), pool=None, dropout=0.0)))
    planted = _test_file(tmp_path / "test.fa")
    out = tmp_path / "motifs"
    assert (
        main(
            [
                "motifs",
                str(run),
                "--test",
                str(tmp_path / "test.fa"),
                "--out",
                str(out),
                "--classopt-steps",
                "50",
                "--quiet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    summary = json.loads((out / "motifs.json").read_text())
    assert summary["tf"] == "GATA1" and summary["tf_in_jaspar"] and summary["n_positives"] == 30
    assert set(summary["methods"]) == {"saliency", "conv", "classopt"}  # no temporal for a CNN
    assert summary["classopt_device"].startswith("cpu, torch ")
    assert summary["jaspar_pseudocount"] == 0.1  # MEME Tomtom's --motif-pseudo default
    rows = _windows(out)
    saliency = [r for r in rows if r["method"] == "saliency"]
    conv = [r for r in rows if r["method"] == "conv"]
    assert len(saliency) == len(conv) == 30
    for row, site in zip(saliency, planted):
        start = int(row["start"])
        assert start <= site and site + len(GATA) <= start + 9  # the window holds the site
    assert [int(r["start"]) for r in conv] == planted and {r["width"] for r in conv} == {"6"}
    # A window holding GATA1's core is a Tomtom hit of a GATA1 motif for most sequences.
    assert summary["methods"]["saliency"]["matches"] > 15
    assert summary["methods"]["conv"]["matches"] == sum(r["match_p"] == "True" for r in conv)
    assert summary["methods"]["conv"]["aggregated"] == 30
    # Chance: the same windows cut from shuffled positives hold no planted core, so
    # they match far less often than the saliency windows.
    chance = summary["chance"]
    assert chance["of"] == 30 and 0 <= chance["matches_q"] <= chance["matches"]
    assert chance["matches"] < summary["methods"]["saliency"]["matches"] - 5
    assert f"saliency  {summary['methods']['saliency']['matches']}/30 match GATA1" in printed
    # The overlap figure is the share of saliency windows touching a FIMO site listed
    # in fimo_sites.tsv (end exclusive). A bare 6-bp core rarely reaches FIMO's
    # p < 1e-4 against GATA1's longer matrices, so no level is asserted.
    with open(out / "fimo_sites.tsv", newline="") as handle:
        sites = list(csv.DictReader(handle, delimiter="\t"))
    covered = {(site["id"], position) for site in sites for position in range(int(site["start"]), int(site["end"]))}
    overlapping = [any((row["id"], int(row["start"]) + k) in covered for k in range(9)) for row in saliency]
    assert summary["saliency_fimo_overlap"] == np.mean(overlapping)
    for name in ("extracted.meme", "fimo_sites.tsv", "saliency_logo.png"):
        assert (out / name).stat().st_size > 0


@pytest.mark.parametrize(
    "preset, kwargs",
    [
        # The small-rnn preset untrained (oneDNN's LSTM is many times slower at hidden size 8).
        ("small-rnn", dict(hidden_size=32, n_layers=1, input_init_scale=16.0)),
        # A CNN-RNN, whose outputs read 4 bases ahead (a width-9 convolution).
        ("small-cnn-rnn", dict(hidden_size=32, n_layers=1, conv_filters=16, conv_kernel_sizes=(9,), conv_pool=None)),
    ],
)
def test_temporal_windows_end_at_the_last_base_read_at_the_largest_step(tmp_path, capsys, preset, kwargs):
    from gdashboard.data import read_dataset
    from gdashboard.explain.temporal import temporal_output_scores

    torch.manual_seed(0)
    run = tmp_path / "run"
    model = build_model(preset, **kwargs).eval()
    save_model(model, run, _config("RecurrentNet", kwargs))
    _test_file(tmp_path / "test.fa", n_positives=12, n_negatives=2)
    out = tmp_path / "motifs"
    assert (
        main(
            [
                "motifs",
                str(run),
                "--test",
                str(tmp_path / "test.fa"),
                "--out",
                str(out),
                "--classopt-steps",
                "20",
                "--quiet",
            ]
        )
        == 0
    )
    capsys.readouterr()
    summary = json.loads((out / "motifs.json").read_text())
    assert set(summary["methods"]) == {"saliency", "temporal", "classopt"} | (
        {"conv"} if "conv_filters" in kwargs else set()
    )
    assert summary["extraction_version"] == EXTRACTION_VERSION
    # The methods in the registry's order (Table 4's), in motifs.json and in windows.tsv.
    assert list(summary["methods"]) == [m for m in motif_methods() if m in summary["methods"]]
    order = list(dict.fromkeys(r["method"] for r in _windows(out)))
    assert order == [m for m in motif_methods() if m in summary["methods"] and METHODS[m].per_sequence]
    temporal = [int(r["start"]) for r in _windows(out) if r["method"] == "temporal"]
    # Independently: the largest single step of the forward output (never the
    # first output, which has nothing before it), then the last base it had read.
    dataset = read_dataset(tmp_path / "test.fa", shuffle_negatives=False)
    with torch.no_grad():
        forward, _ = temporal_output_scores(model, dataset.X[dataset.labels == 1])
    switch = 1 + np.argmax(np.diff(np.asarray(forward, dtype=np.float64), axis=1), axis=1)
    last_read = np.minimum(switch + (4 if "conv_filters" in kwargs else 0), 100)
    np.testing.assert_array_equal(temporal, np.clip(last_read - 8, 0, 101 - 9))


@pytest.mark.parametrize(
    "device, problem",
    [
        ("gpu0", "unknown device 'gpu0'"),
        pytest.param(
            "cuda",
            "no CUDA device is available",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present here"),
        ),
    ],
)
def test_a_class_optimisation_device_that_cannot_be_used_is_refused_before_any_work(tmp_path, device, problem):
    from gdashboard.errors import InputError
    from gdashboard.motifs.analysis import motif_analysis

    # No run folder at all: the device is checked before anything is read.
    with pytest.raises(InputError, match=problem):
        motif_analysis(
            tmp_path / "no-run", tmp_path / "test.fa", tmp_path / "out", MotifAnalysisOptions(classopt_device=device)
        )
    assert not (tmp_path / "out").exists()


def test_gdash_motifs_refuses_an_unknown_class_optimisation_device_in_one_line(tmp_path, capsys):
    run = tmp_path / "run"
    save_model(_gata_model(), run, _config("ConvNet", dict(n_filters=1, kernel_sizes=(6,), pool=None, dropout=0.0)))
    _test_file(tmp_path / "test.fa")
    code = main(
        [
            "motifs",
            str(run),
            "--test",
            str(tmp_path / "test.fa"),
            "--out",
            str(tmp_path / "motifs"),
            "--classopt-device",
            "gpu0",
            "--quiet",
        ]
    )
    error = capsys.readouterr().err
    assert code == 1
    assert error == "gdash: error: unknown device 'gpu0' for class optimisation\n"
    assert not (tmp_path / "motifs").exists()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_class_optimisation_on_a_gpu_leaves_the_model_work_on_the_cpu(tmp_path):
    from gdashboard.motifs.analysis import motif_analysis

    run = tmp_path / "run"
    save_model(_gata_model(), run, _config("ConvNet", dict(n_filters=1, kernel_sizes=(6,), pool=None, dropout=0.0)))
    _test_file(tmp_path / "test.fa")
    options = MotifAnalysisOptions(classopt=ClassOptOptions(steps=20), classopt_device="cuda")
    summary = motif_analysis(run, tmp_path / "test.fa", tmp_path / "motifs", options)
    assert summary["classopt_device"].startswith("cuda (")
    assert summary["methods"]["saliency"]["matches"] > 15
