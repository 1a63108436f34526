"""The contexts the explainers share: eval mode and a frozen model, both restored."""

import torch
from torch import nn

from gdashboard.explain.common import evaluating, frozen, model_device, model_device_dtype


def _mixed_model():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5), nn.Linear(3, 2))
    model.train()
    model[1].eval()  # a submodule in its own mode
    model[2].weight.requires_grad_(False)  # a parameter the caller froze
    return model


def test_evaluating_restores_every_submodules_mode():
    model = _mixed_model()
    before = [module.training for module in model.modules()]
    with evaluating(model):
        assert not any(module.training for module in model.modules())
        assert all(p.requires_grad for p in (model[0].weight, model[0].bias, model[2].bias))
    assert [module.training for module in model.modules()] == before


def test_frozen_is_eval_mode_without_parameter_gradients_and_restores_both():
    model = _mixed_model()
    modes = [module.training for module in model.modules()]
    flags = [p.requires_grad for p in model.parameters()]
    with frozen(model):
        assert not any(module.training for module in model.modules())
        assert not any(p.requires_grad for p in model.parameters())
    assert [module.training for module in model.modules()] == modes
    assert [p.requires_grad for p in model.parameters()] == flags
    try:
        with frozen(model):
            raise RuntimeError("inside")
    except RuntimeError:
        pass
    assert [module.training for module in model.modules()] == modes
    assert [p.requires_grad for p in model.parameters()] == flags


def test_model_device_and_dtype():
    model = nn.Linear(2, 2).double()
    assert model_device(model) == torch.device("cpu")
    assert model_device_dtype(model) == (torch.device("cpu"), torch.float64)
    assert model_device_dtype(nn.ReLU()) == (torch.device("cpu"), torch.float32)
