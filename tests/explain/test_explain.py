"""explain(): the registry's dispatch, its options and its capability checks."""

import dataclasses

import numpy as np
import pytest
import torch

import gdashboard.explain.run as run
from gdashboard.explain import METHOD_NAMES, METHODS, applicable_methods, explain, get_method
from gdashboard.explain.run import method_options, refusal
from gdashboard.methods import ISMOptions, SaliencyOptions, modisco_methods, position_rows
from gdashboard.models import build_model
from gdashboard.models.averaged import SeedEnsemble, StrandAverage
from gdashboard.models.baselines import KmerBaseline
from gdashboard.models.capabilities import model_capabilities

# Small options, so that every method runs in a moment.
QUICK = {
    "integrated_gradients": {"n_steps": 3},
    "deeplift": {"n_shuffles": 2},
    "classopt": {"steps": 2, "restarts": 2},
}


def _models():
    torch.manual_seed(0)
    cnn, rnn, cnn_rnn = build_model("small-cnn"), build_model("small-rnn"), build_model("small-cnn-rnn")
    return {
        "cnn": cnn.eval(),
        "rnn": rnn.eval(),
        "cnn-rnn": cnn_rnn.eval(),
        "deepbind": build_model("deepbind").eval(),
        "strands": StrandAverage(cnn).eval(),
        "ensemble": SeedEnsemble([rnn, build_model("small-rnn")]).eval(),
    }


MODELS = _models()


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("method", METHOD_NAMES)
def test_every_method_returns_exactly_its_keys_or_refuses_clearly(kind, method, random_one_hot):
    model, record = MODELS[kind], METHODS[method]
    X = random_one_hot(2, 30, seed=3)
    capabilities = model_capabilities(model)
    if not (record.requires <= capabilities and not record.refuses & capabilities):
        assert method not in applicable_methods(model)
        with pytest.raises(ValueError, match=r"(needs?|cannot explain) an? \w+ model \(.*\); got "):
            explain(model, X, method, QUICK.get(method))
        return
    assert method in applicable_methods(model)
    arrays = explain(model, X, method, QUICK.get(method))
    assert tuple(arrays) == record.keys
    if record.per_sequence:
        for key, value in arrays.items():
            assert len(value) == 2, key
        for key, row in position_rows(record, arrays, X.numpy()).items():
            assert row.shape == (2, 30) and np.isfinite(row).all(), key


def test_which_models_each_method_refuses():
    assert set(METHOD_NAMES) - set(applicable_methods(MODELS["cnn"])) == {"temporal"}
    assert set(METHOD_NAMES) - set(applicable_methods(MODELS["rnn"])) == {"deeplift", "conv"}
    assert set(METHOD_NAMES) - set(applicable_methods(MODELS["cnn-rnn"])) == {"deeplift"}
    assert set(METHOD_NAMES) - set(applicable_methods(MODELS["ensemble"])) == {"deeplift", "conv"}
    assert applicable_methods(KmerBaseline()) == ()


def test_refusals_say_what_is_missing_and_what_the_model_can_have():
    assert refusal(get_method("saliency"), MODELS["cnn"]) is None
    message = refusal(get_method("temporal"), MODELS["cnn"])
    assert message.startswith("temporal output scores need a recurrent model (an RNN or CNN-RNN); got ConvNet")
    assert "it can have: saliency, conv, classopt" in message
    assert refusal(get_method("deeplift"), MODELS["rnn"]).startswith("DeepLIFT/SHAP cannot explain a recurrent model")
    assert refusal(get_method("conv"), MODELS["rnn"]).startswith("convolution activations need a convolutional model")
    assert refusal(get_method("saliency"), KmerBaseline()).startswith("saliency needs a differentiable model")
    with pytest.raises(ValueError, match="in-silico mutagenesis needs a neural model.*no method"):
        explain(KmerBaseline(), np.zeros((1, 4, 10), np.float32), "ism")


def test_an_option_of_another_method_is_refused(random_one_hot):
    X = random_one_hot(1, 20)
    with pytest.raises(ValueError, match="saliency takes no option 'n_steps'; its options: batch_size, target"):
        explain(MODELS["cnn"], X, "saliency", {"n_steps": 4})
    with pytest.raises(ValueError, match="temporal takes no option 'target'"):
        explain(MODELS["rnn"], X, "temporal", {"target": "logit"})
    # Another method's options dataclass is refused too, even with fields of the same names.
    with pytest.raises(ValueError, match="saliency takes SaliencyOptions, not ISMOptions"):
        explain(MODELS["cnn"], X, "saliency", ISMOptions())
    with pytest.raises(ValueError, match="unknown method 'nonsense'"):
        explain(MODELS["cnn"], X, "nonsense")


def test_option_values_are_checked_against_the_registry():
    record = get_method("saliency")
    with pytest.raises(ValueError, match="target must be one of logit, log_odds, probability"):
        method_options(record, {"target": "log_probability"})
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        method_options(record, {"batch_size": 0})
    assert method_options(record) == SaliencyOptions()
    assert method_options(record, {"batch_size": 3}) == SaliencyOptions(batch_size=3)
    assert method_options(get_method("deeplift"), {"target": "log_odds"}).target == "log_odds"
    with pytest.raises(ValueError, match="target must be one of logit, log_odds"):
        method_options(get_method("deeplift"), {"target": "probability"})


def test_an_alias_options_and_the_kernels_give_the_same_numbers(random_one_hot):
    from gdashboard.explain.attribution import integrated_gradients
    from gdashboard.explain.saliency import saliency_map

    model, X = MODELS["cnn"], random_one_hot(3, 30, seed=5)
    options = {"n_steps": 3, "target": "log_odds", "baseline": "shuffle", "seed": 2}
    by_alias = explain(model, X, "ig", options)["attribution"]
    assert np.array_equal(by_alias, explain(model, X, "integrated_gradients", options)["attribution"])
    expected = integrated_gradients(model, X, baseline="shuffle", n_steps=3, target="log_odds", seed=2)
    assert np.array_equal(by_alias, expected)
    saliency, gradient = saliency_map(model, X, target="probability")
    arrays = explain(model, X, "saliency", SaliencyOptions(target="probability"))
    assert np.array_equal(arrays["saliency"], saliency) and np.array_equal(arrays["gradient"], gradient)
    product = explain(model, X, "gradient_x_input", {"target": "probability"})["attribution"]
    assert np.array_equal(product, gradient * X.numpy())
    np.testing.assert_allclose(np.abs(product.sum(axis=1)), saliency, atol=1e-7)


def test_class_optimisation_reads_its_length_from_the_options_or_the_sequences(random_one_hot):
    model = MODELS["cnn"]
    arrays = explain(model, None, "classopt", {"steps": 2, "restarts": 2, "length": 25})
    assert arrays["matrix"].shape == (4, 25) and len(str(arrays["sequence"])) == 25
    assert explain(model, random_one_hot(1, 30), "classopt", QUICK["classopt"])["matrix"].shape == (4, 30)
    with pytest.raises(ValueError, match="needs a length"):
        explain(model, None, "classopt", QUICK["classopt"])


def test_a_function_that_returns_other_keys_is_a_bug(monkeypatch, random_one_hot):
    wrong = dataclasses.replace(get_method("saliency"), function="gdashboard.explain.saliency:explain_gradient_x_input")
    monkeypatch.setattr(run, "get_method", lambda name: wrong)
    with pytest.raises(RuntimeError, match="not the registry's"):
        explain(MODELS["cnn"], random_one_hot(1, 20), "saliency")


@pytest.mark.parametrize("method", modisco_methods())
def test_hypothetical_contributions(method, random_one_hot):
    model, X = MODELS["cnn"], random_one_hot(2, 30, seed=7)
    record = get_method(method)
    options = record.make_options(QUICK.get(method))
    hypothetical = record.load_hypothetical()(model, X, options, progress=False)
    assert hypothetical.shape == (2, 4, 30) and hypothetical.dtype == np.float32
    present = (hypothetical * X.numpy()).sum(axis=1)
    if method in ("saliency", "ism"):
        # Centred over the four bases at each position.
        np.testing.assert_allclose(hypothetical.sum(axis=1), 0, atol=1e-5)
        key = record.keys[-1]
        full = explain(model, X, method, options)[key]
        np.testing.assert_allclose(hypothetical, full - full.mean(axis=1, keepdims=True), atol=1e-6)
    else:
        # At the base present, the ordinary attribution (summed over channels).
        attribution = explain(model, X, method, options)["attribution"].sum(axis=1)
        np.testing.assert_allclose(present, attribution, rtol=1e-4, atol=1e-5)
