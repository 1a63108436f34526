import json

import numpy as np
import pytest
import torch

from gdashboard.cli import main
from gdashboard.methods import ClassOptOptions, get_method
from gdashboard.models import build_model
from gdashboard.models.catalogue import PRESETS
from gdashboard.models.presets import model_kwargs
from gdashboard.results import save_model


def _save(preset, rundir, length=40):
    torch.manual_seed(0)
    model = build_model(preset)
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in model_kwargs(preset).items()}
    save_model(
        model,
        rundir,
        {
            "preset": preset,
            "model_class": PRESETS[preset].model_class,
            "model_kwargs": kwargs,
            "sequence_length": length,
        },
    )
    return model


@pytest.fixture
def fasta(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "seqs.fa"
    path.write_text("".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 40))}\n" for i in range(5)))
    return path


@pytest.mark.parametrize(
    "method, keys, shapes",
    [
        ("saliency", ["saliency", "gradient"], [(5, 40), (5, 4, 40)]),
        ("temporal", ["forward", "backward"], [(5, 40), (5, 40)]),
        ("ism", ["ism"], [(5, 4, 40)]),
        ("ig", ["attribution"], [(5, 4, 40)]),
        ("conv", ["start", "width", "filter"], [(5,), (5,), (5,)]),
    ],
)
def test_explain_writes_npz_without_pickle(tmp_path, fasta, capsys, method, keys, shapes):
    preset = "small-cnn-rnn"
    _save(preset, tmp_path / "run")
    out = tmp_path / f"{method}.npz"
    assert (
        main(
            [
                "explain",
                str(tmp_path / "run"),
                "--test",
                str(fasta),
                "--method",
                method,
                "--out",
                str(out),
                "--quiet",
                *(["--n-steps", "4"] if method == "ig" else []),
            ]
        )
        == 0
    ), capsys.readouterr().err
    data = np.load(out, allow_pickle=False)
    assert str(data["method"]) == get_method(method).name  # the registry's name, never an alias
    assert list(data["ids"]) == [f"s{i}" for i in range(5)]
    assert data["ids"].dtype.kind == "U"
    for key, shape in zip(keys, shapes):
        assert data[key].shape == shape, key


def test_classopt_npz(tmp_path, fasta, capsys):
    _save("small-cnn", tmp_path / "run")
    out = tmp_path / "classopt.npz"
    assert (
        main(
            [
                "explain",
                str(tmp_path / "run"),
                "--test",
                str(fasta),
                "--method",
                "classopt",
                "--out",
                str(out),
                "--quiet",
                "--steps",
                "5",
                "--restarts",
                "2",
            ]
        )
        == 0
    )
    data = np.load(out, allow_pickle=False)
    assert data["matrix"].shape == (4, 40)
    np.testing.assert_allclose(data["probabilities"].sum(0), 1.0, rtol=1e-5)
    assert len(str(data["sequence"])) == 40 and set(str(data["sequence"])) <= set("ACGT")


def test_temporal_of_a_cnn_is_a_one_line_error(tmp_path, fasta, capsys):
    _save("small-cnn", tmp_path / "run")
    code = main(
        [
            "explain",
            str(tmp_path / "run"),
            "--test",
            str(fasta),
            "--method",
            "temporal",
            "--out",
            str(tmp_path / "t.npz"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "t.npz").exists()


def test_cached_class_optimization_is_computed_once_and_only_when_asked(tmp_path):
    from gdashboard.explain.run import cached_class_optimization
    from gdashboard.results import CLASSOPT_CACHE_FILE, open_run

    torch.manual_seed(0)
    model = build_model("small-cnn")
    save_model(
        model,
        tmp_path,
        {
            "preset": "small-cnn",
            "model_class": PRESETS["small-cnn"].model_class,
            "model_kwargs": model_kwargs("small-cnn"),
            "sequence_length": 40,
        },
    )
    run = open_run(tmp_path)
    options = ClassOptOptions(steps=3, restarts=2)
    assert cached_class_optimization(run, options, compute=False) is None
    assert not (tmp_path / CLASSOPT_CACHE_FILE).exists()
    made = cached_class_optimization(run, options)
    cached = cached_class_optimization(run, {"steps": 3, "restarts": 2}, compute=False)
    assert np.array_equal(made["matrix"], cached["matrix"])
    # the cache's key is the options that made it, as caches written before recorded them
    recorded = json.loads(str(np.load(tmp_path / CLASSOPT_CACHE_FILE)["options"]))
    assert recorded == {"steps": 3, "restarts": 2, "seed": 0, "target": "logit", "l2": ClassOptOptions().l2}
    # the run's own length is the default: naming it is the same optimisation
    same = cached_class_optimization(run, ClassOptOptions(steps=3, restarts=2, length=40), compute=False)
    assert np.array_equal(same["matrix"], made["matrix"])
    # other options are another optimisation: not answered by this cache
    assert cached_class_optimization(run, ClassOptOptions(steps=4, restarts=2), compute=False) is None
    assert cached_class_optimization(run, ClassOptOptions(steps=3, restarts=2, length=30), compute=False) is None
