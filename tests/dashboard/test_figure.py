"""The publication figure (the paper's Figure 2): gdashboard.dashboard.figure."""

from __future__ import annotations

import numpy as np
import pytest

from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions

LENGTH = 101
EXPERIMENT = "GATA1_test"
# Untrained models: their numbers mean nothing, the figure's layout and files do.
MODELS = {"small-cnn": 0.70, "med-cnn": 0.80, "small-rnn": 0.60}  # preset -> validation AUC
SHORT = ClassOptOptions(steps=5)  # a short class optimisation: only the figure is tested
TINY = ClassOptOptions(steps=2, restarts=1)


# Consensus sequences of JASPAR2024's GATA1::TAL1 (MA0140.3) and GATA1 (MA0035.5):
# FIMO finds them at p < 1e-4.
DIMER_SITE, GATA1_SITE = "TTATCTGTGAGGAGCAG", "CTAATCT"


def _sequence(rng, site: bool) -> str:
    bases = "".join(rng.choice(list("ACGT"), LENGTH))
    if site:
        bases = bases[:20] + DIMER_SITE + bases[37:70] + GATA1_SITE + bases[77:]
    return bases


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three untrained run folders of one experiment and its test file (TSV with ids)."""
    import torch

    from gdashboard.fileio import write_json, write_text
    from gdashboard.models.catalogue import PRESETS
    from gdashboard.models.presets import build_model, model_kwargs
    from gdashboard.results import METRICS_FILE, save_model

    root = tmp_path_factory.mktemp("figure_runs")
    rng = np.random.default_rng(0)
    rows = ["id\tsequence\tlabel"]
    for index in range(6):
        rows.append(f"seq{index}\t{_sequence(rng, site=index % 2 == 0)}\t{int(index % 2 == 0)}")
    test_file = root / "test.tsv"
    write_text(test_file, "\n".join(rows) + "\n")
    for number, (preset, validation_auc) in enumerate(MODELS.items()):
        torch.manual_seed(number)
        model = build_model(preset)
        kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in model_kwargs(preset).items()}
        config = {
            "preset": preset,
            "architecture": PRESETS[preset].architecture,
            "experiment": EXPERIMENT,
            "tf": "GATA1",
            "sequence_length": LENGTH,
            "seed": 0,
            "test_file": str(test_file),
            "model_class": PRESETS[preset].model_class,
            "model_kwargs": kwargs,
        }
        save_model(model, root / preset, config)
        write_json(
            root / preset / METRICS_FILE,
            {
                "experiment": EXPERIMENT,
                "tf": "GATA1",
                "preset": preset,
                "seed": 0,
                "pooling": None,
                "available": True,
                "test_auc": 0.5,
                "validation_auc": validation_auc,
            },
        )
    return root


@pytest.fixture(scope="module")
def png(runs):
    """The figure of the first test sequence, written once (class optimisation cached)."""
    from gdashboard.dashboard.figure import write_figure

    return write_figure(
        [runs], experiment=EXPERIMENT, out=runs / "out" / "figure.png", sequence_id="seq0", classopt=SHORT
    )


def _texts(figure) -> list:
    from matplotlib.text import Text

    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _images(figure) -> dict:
    return {image.get_label(): image for axis in figure.axes for image in axis.get_images()}


def test_png_is_a4_wide_at_300_dpi(png):
    from PIL import Image

    from gdashboard.dashboard.figure import PNG_DPI, WIDTH_IN

    assert png.stat().st_size > 10_000
    with Image.open(png) as image:
        width, height = image.size
    assert width == round(WIDTH_IN * PNG_DPI) == 2250
    assert 3 * PNG_DPI < height < 11.69 * PNG_DPI  # fits an A4 page
    assert not list(png.parent.glob(".*.tmp"))  # written atomically, nothing left over


def test_classopt_cached_beside_each_run_and_not_recomputed(runs, png, monkeypatch):
    import gdashboard.explain.classopt as classopt
    from gdashboard.dashboard.figure import write_figure
    from gdashboard.results import CLASSOPT_CACHE_FILE

    for preset in MODELS:
        assert (runs / preset / CLASSOPT_CACHE_FILE).is_file()

    def refuse(*args, **kwargs):
        raise AssertionError("class optimisation recomputed despite its cache")

    monkeypatch.setattr(classopt, "class_optimize", refuse)
    svg = write_figure(
        [runs], experiment=EXPERIMENT, out=runs / "out" / "figure.svg", sequence_id="seq0", classopt=SHORT
    )
    pdf = write_figure(
        [runs],
        experiment=EXPERIMENT,
        out=runs / "out" / "figure.pdf",
        sequence_text=_sequence(np.random.default_rng(5), site=True),
        classopt=SHORT,
        models=["small-cnn"],
    )
    assert svg.stat().st_size > 10_000 and svg.read_bytes().lstrip().startswith(b"<?xml")
    assert pdf.stat().st_size > 5_000 and pdf.read_bytes().startswith(b"%PDF")


def test_figure_content_shared_scales_marks_and_fonts(runs, png, monkeypatch):
    """The figure write_figure draws: one saliency norm, temporal rows for the RNN only,
    the best CNN on validation marked, no text under 6 pt."""
    from matplotlib.colors import TwoSlopeNorm

    import gdashboard.dashboard.figure as module

    drawn = []
    original = module.save_figure
    monkeypatch.setattr(module, "save_figure", lambda figure, out: drawn.append(figure) or original(figure, out))
    module.write_figure(
        [runs], experiment=EXPERIMENT, out=runs / "out" / "again.png", sequence_id="seq2", classopt=SHORT
    )
    figure = drawn[0]
    images = _images(figure)
    saliency = [images[f"saliency:{preset}"] for preset in MODELS]
    assert len({(image.norm.vmin, image.norm.vmax) for image in saliency}) == 1
    assert saliency[0].norm.vmax > 0
    temporal = {label for label in images if not label.startswith("saliency:")}
    assert temporal == {"forward:small-rnn", "backward:small-rnn"}
    for label in temporal:
        assert isinstance(images[label].norm, TwoSlopeNorm) and images[label].norm.vcenter == 0.5
    texts = [t.get_text() for t in _texts(figure)]
    assert "med-cnn*" in texts and "small-cnn" in texts  # best of the two CNNs on validation
    assert "small-rnn" in texts  # the only RNN: nothing to choose between
    assert any("best of its architecture" in text for text in texts)
    assert min(t.get_fontsize() for t in _texts(figure)) >= 6
    assert any(text.startswith("MA0035") for text in texts)  # GATA1's JASPAR logo
    assert "GATA1::TAL1 (+)" in texts and "GATA1 (+)" in texts  # the planted sites, boxed and named


def test_draw_figure_from_a_hand_made_view():
    from matplotlib.patches import Rectangle

    from gdashboard.dashboard.figure import WIDTH_IN, draw_figure

    rng = np.random.default_rng(1)
    sequence = _sequence(rng, site=True)
    models = {
        "small-cnn": {"score": 2.345, "probability": 0.9, "recurrent": False, "saliency": rng.random(LENGTH)},
        "small-cnn-rnn": {
            "score": -1.0,
            "probability": 0.3,
            "recurrent": True,
            "saliency": 5 * rng.random(LENGTH),
            "forward": rng.random(LENGTH),
            "backward": rng.random(LENGTH),
        },
    }
    sites = [
        {"motif_id": "M1", "motif_name": "GATA1", "start": 40, "end": 47, "strand": "+", "score": 9.0, "p_value": 1e-5},
        {
            "motif_id": "M2",
            "motif_name": "GATA1::TAL1",
            "start": 38,
            "end": 55,
            "strand": "-",
            "score": 9.0,
            "p_value": 1e-5,
        },
    ]
    view = {"sequence": sequence, "length": LENGTH, "sites": sites, "models": models}
    motif = ("M1", "GATA1", np.array([[0.1, 0.8, 0.1], [0.1, 0.1, 0.1], [0.7, 0.05, 0.1], [0.1, 0.05, 0.7]]))
    figure = draw_figure(
        view,
        experiment=EXPERIMENT,
        tf="GATA1",
        jaspar_motifs=[motif],
        classopt=None,
        sequence_id=None,
        marks={"small-cnn": "*"},
        mark_meaning="the one I like",
    )
    assert figure.get_size_inches()[0] == WIDTH_IN
    images = _images(figure)
    assert images["saliency:small-cnn"].norm is images["saliency:small-cnn-rnn"].norm
    assert images["saliency:small-cnn"].norm.vmax == pytest.approx(models["small-cnn-rnn"]["saliency"].max())
    assert set(images) == {
        "saliency:small-cnn",
        "saliency:small-cnn-rnn",
        "forward:small-cnn-rnn",
        "backward:small-cnn-rnn",
    }
    texts = [t.get_text() for t in _texts(figure)]
    assert "+2.35" in texts and "\N{MINUS SIGN}1.00" in texts  # log-odds, 2 decimals
    assert "class optimisation not computed" in texts
    assert any("the one I like" in text for text in texts)
    assert "GATA1 (+)" in texts and "GATA1::TAL1 (\N{MINUS SIGN})" in texts
    boxes = [p for axis in figure.axes for p in axis.patches if isinstance(p, Rectangle) and p.get_width() in (7, 17)]
    assert len(boxes) == 4  # each site boxed, above the saliency and again above the temporal rows
    assert min(t.get_fontsize() for t in _texts(figure)) >= 6


def test_unknown_experiment_model_and_sequence(runs, png):
    from gdashboard.dashboard.figure import write_figure

    out = runs / "out" / "bad.png"
    with pytest.raises(InputError, match=f"no runs of experiment 'GATA2'.*available: {EXPERIMENT}"):
        write_figure([runs], experiment="GATA2", out=out, classopt=SHORT)
    with pytest.raises(InputError, match="no model 'huge-cnn'.*available: small-rnn, small-cnn, med-cnn"):
        write_figure([runs], experiment=EXPERIMENT, out=out, models=["huge-cnn"], classopt=SHORT)
    with pytest.raises(InputError, match=r"no sequence with id 'seq99' \(its ids are seq0, seq1, seq2, \.\.\., seq5\)"):
        write_figure([runs], experiment=EXPERIMENT, out=out, sequence_id="seq99", classopt=SHORT)
    with pytest.raises(InputError, match="invalid character 'X' at position 3"):
        write_figure([runs], experiment=EXPERIMENT, out=out, sequence_text="ACXGT", classopt=SHORT)
    with pytest.raises(InputError, match="the sequence has 5 bases; the models accept 101"):
        write_figure([runs], experiment=EXPERIMENT, out=out, sequence_text="ACGGT", classopt=SHORT)
    with pytest.raises(InputError, match="name it .png, .svg or .pdf"):
        write_figure([runs], experiment=EXPERIMENT, out=runs / "out" / "figure.jpg", classopt=SHORT)
    with pytest.raises(InputError, match="not both"):
        write_figure([runs], experiment=EXPERIMENT, out=out, sequence_id="seq0", sequence_text="ACGT")
    assert not out.exists()


def test_module_import_is_light():
    import subprocess
    import sys

    code = (
        "import sys, gdashboard.dashboard.figure; "
        "print(any(m in sys.modules for m in ('matplotlib', 'torch', 'logomaker')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_models_are_grouped_by_architecture_whatever_their_options():
    from gdashboard.dashboard.figure import architecture_rows

    labels = ["deepbind-cal", "small-cnn +rc-aug+rc-avg", "deepbind", "small-rnn (max)", "kmer"]
    assert architecture_rows(labels) == [
        ("CNN", ["small-cnn +rc-aug+rc-avg"]),
        ("RNN", ["small-rnn (max)"]),
        ("DeepBind", ["deepbind", "deepbind-cal"]),  # the calibrated DeepBind beside the recipe's
        ("other", ["kmer"]),
    ]


def test_a_figure_of_every_row_method_has_one_section_per_method(dashboard_runs, tmp_path, monkeypatch):
    """The session's trained small-cnn and small-rnn drawn with every method that has rows:
    one section per method, each model's rows in it unless it cannot give the method."""
    import shutil

    import gdashboard.dashboard.figure as module
    from gdashboard.dashboard.method_panels import refusal, row_style
    from gdashboard.methods import get_method

    runs = tmp_path / "runs"
    shutil.copytree(dashboard_runs.runs, runs)  # the class optimisations are cached beside the runs
    drawn = []
    monkeypatch.setattr(module, "save_figure", lambda figure, out: drawn.append(figure) or out)
    methods = module.figure_row_methods()
    module.write_figure(
        [runs], experiment=dashboard_runs.experiment, out=tmp_path / "all.png", methods=methods, classopt=TINY
    )
    (figure,) = drawn
    images = _images(figure)
    texts = [t.get_text() for t in _texts(figure)]
    capabilities = {label: model.capabilities for label, model in _models(runs, dashboard_runs.experiment).items()}
    for method in methods:
        assert texts.count(row_style(method).heading) == 1, method
        record = get_method(method)
        names = [method] if len(record.rows) == 1 else [key for key, _ in record.rows]
        for label, found in capabilities.items():
            shown = {f"{name}:{label}" in images for name in names}
            assert shown == {refusal(method, found) is None}, (method, label)
    assert "deeplift:small-rnn" not in images and "forward:small-cnn" not in images
    rows = {label.split(":")[0] for label in images}
    assert len(rows) == sum(len(get_method(method).rows) for method in methods)


def _models(runs, experiment):
    from gdashboard.dashboard.panels import find_experiments

    return find_experiments([runs])[experiment].models()


def test_figure_methods_are_the_registry_s():
    from gdashboard.dashboard.figure import FIGURE_METHODS, figure_methods

    assert figure_methods(None) == FIGURE_METHODS == ("saliency", "temporal")
    assert figure_methods("ism, ig") == ("ism", "integrated_gradients")
    with pytest.raises(InputError, match="classopt cannot be asked here"):
        figure_methods(["classopt"])
    with pytest.raises(InputError, match="unknown method 'gradcam'"):
        figure_methods("saliency,gradcam")
