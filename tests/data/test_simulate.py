"""The simulated GATA1 -> E-box dataset: grammar, ground truth, files, seeds."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import numpy as np
import pytest

from gdashboard.data.jaspar import motif_by_id
from gdashboard.data.readers import read_dataset
from gdashboard.data.simulate import (
    DEFAULT_NEGATIVE_MIX,
    KINDS,
    SEQUENCE_HEADER,
    SITES_HEADER,
    Simulation,
    planted_mask,
    presence_only_auc,
    read_sites,
    simulate,
    write_simulation,
)
from gdashboard.errors import InputError

GATA, EBOX = "MA0035.5", "MA0522.4"
N, LENGTH, SEED = 600, 101, 7
_INDEX = {base: i for i, base in enumerate("ACGT")}


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(n=N, length=LENGTH, seed=SEED)


@pytest.fixture(scope="module")
def written(sim, tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    return out, write_simulation(sim, out)


def _by_id(sites):
    grouped = defaultdict(list)
    for site in sites:
        grouped[site["id"]].append(site)
    for group in grouped.values():
        group.sort(key=lambda s: s["start"])
    return grouped


def _score(sequence: str, log_odds: np.ndarray) -> float:
    return float(sum(log_odds[_INDEX[base], j] for j, base in enumerate(sequence)))


def _read_tsv(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))


def test_same_seed_identical_files_and_other_seed_differs(sim, tmp_path):
    again = simulate(n=N, length=LENGTH, seed=SEED)
    assert again.sequences == sim.sequences
    assert again.ids == sim.ids and again.sites == sim.sites
    np.testing.assert_array_equal(again.labels, sim.labels)
    np.testing.assert_array_equal(again.split, sim.split)
    np.testing.assert_array_equal(again.kinds, sim.kinds)
    a = write_simulation(sim, tmp_path / "a")
    b = write_simulation(again, tmp_path / "b")
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes(), key

    other = simulate(n=N, length=LENGTH, seed=SEED + 1)
    assert other.sequences != sim.sequences
    assert sum(x == y for x, y in zip(other.sequences, sim.sequences)) == 0


def test_shapes_labels_balanced_and_kinds(sim):
    assert len(sim) == N == len(sim.sequences) == len(sim.kinds) == len(sim.split)
    assert all(len(s) == LENGTH and set(s) <= set("ACGT") for s in sim.sequences)
    assert sim.ids[0] == "sim:000001" and len(set(sim.ids)) == N
    assert sim.labels.sum() == N // 2
    np.testing.assert_array_equal(sim.labels == 1, sim.kinds == "positive")
    assert set(sim.kinds) == set(KINDS)
    negatives = N - N // 2
    for kind, share in DEFAULT_NEGATIVE_MIX.items():
        assert (sim.kinds == kind).sum() == round(share * negatives)
    # Odd n: n // 2 positives.
    odd = simulate(n=21, seed=1)
    assert odd.labels.sum() == 10 and len(odd) == 21


def test_split_takes_test_fraction_of_each_kind(sim):
    assert set(sim.split) == {"train", "test"}
    for kind in KINDS:
        members = sim.kinds == kind
        assert (sim.split[members] == "test").sum() == round(0.2 * members.sum())
    counts = sim.parameters["counts"]
    assert counts["test"]["positive"] == (sim.split[sim.labels == 1] == "test").sum()
    assert {s["split"] for s in sim.sites if s["id"] == sim.ids[0]} == {sim.split[0]}


def test_each_kind_has_its_arrangement(sim):
    sites = _by_id(sim.sites)
    spacing = sim.parameters["spacing"]
    for id_, kind in zip(sim.ids, sim.kinds):
        found = [(s["matrix_id"], s["start"]) for s in sites[id_]]
        assert all(s["strand"] == "+" and s["end"] - s["start"] == 7 for s in sites[id_])
        if kind == "positive":
            assert [m for m, _ in found] == [GATA, EBOX]
            assert found[1][1] - found[0][1] == spacing
        elif kind == "gata-only":
            assert [m for m, _ in found] == [GATA]
        elif kind == "ebox-only":
            assert [m for m, _ in found] == [EBOX]
        elif kind == "wrong-order":
            assert [m for m, _ in found] == [EBOX, GATA]
            assert found[1][1] - found[0][1] == spacing
        else:
            assert kind == "wrong-spacing"
            assert [m for m, _ in found] == [GATA, EBOX]
            distance = found[1][1] - found[0][1]
            assert distance >= 20 and 10 <= abs(distance - spacing) <= 20


def test_configured_spacing_and_mix():
    sim = simulate(n=80, length=120, seed=2, spacing=50, negative_mix={"wrong-order": 1, "wrong-spacing": 1})
    assert set(sim.kinds[sim.labels == 0]) == {"wrong-order", "wrong-spacing"}
    for id_, group in _by_id(sim.sites).items():
        assert len(group) == 2
        kind = sim.kinds[sim.ids.index(id_)]
        if kind in ("positive", "wrong-order"):
            assert group[1]["start"] - group[0]["start"] == 50
        assert group[1]["end"] <= 120
    assert sim.parameters["negative_mix"]["gata-only"] == 0


def test_presence_only_auc_bound():
    assert presence_only_auc() == pytest.approx(0.70)
    assert presence_only_auc({"gata-only": 1, "ebox-only": 1}) == 1.0
    assert presence_only_auc({"wrong-order": 1}) == 0.5
    # Check the formula against an explicit presence-only scorer (ties count 1/2).
    sim = simulate(n=400, seed=3)
    sites = _by_id(sim.sites)
    both = np.array([len({s["matrix_id"] for s in sites[i]}) == 2 for i in sim.ids], dtype=float)
    pos, neg = both[sim.labels == 1], both[sim.labels == 0]
    auc = (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
    assert auc == pytest.approx(presence_only_auc(), abs=1e-9)


def test_planted_bases_score_high_under_the_pwm(sim):
    sequences = dict(zip(sim.ids, sim.sequences))
    for matrix_id in (GATA, EBOX):
        log_odds = motif_by_id(matrix_id).log_odds()
        random_mean = float(log_odds.mean(axis=0).sum())  # expected score of a uniform window
        scores = np.array(
            [
                _score(sequences[s["id"]][s["start"] : s["end"]], log_odds)
                for s in sim.sites
                if s["matrix_id"] == matrix_id
            ]
        )
        assert len(scores) > 200
        assert scores.mean() > random_mean + 20
        assert (scores > random_mean + 10).mean() > 0.95
        assert scores.min() > random_mean


def test_shuffled_backgrounds():
    sim = simulate(n=200, seed=4, shuffled_fraction=0.5)
    assert (sim.backgrounds[sim.labels == 1] == "uniform").all()
    assert (sim.backgrounds[sim.labels == 0] == "shuffled").sum() == 50
    none = simulate(n=200, seed=4, shuffled_fraction=0.0)
    assert (none.backgrounds == "uniform").all()


def test_written_files(sim, written):
    out, paths = written
    assert set(paths) == {"train", "test", "sites", "simulation"}
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    for part in ("train", "test"):
        rows = _read_tsv(paths[part])
        assert tuple(rows[0]) == SEQUENCE_HEADER
        assert [r[0] for r in rows[1:]] == [i for i, s in zip(sim.ids, sim.split) if s == part]
    assert tuple(_read_tsv(paths["sites"])[0]) == SITES_HEADER
    params = json.loads(paths["simulation"].read_text())
    assert params["seed"] == SEED and params["jaspar"]["release"] == "JASPAR2024"
    assert params["jaspar"]["motifs"]["gata"]["matrix_id"] == GATA
    assert params["jaspar"]["motifs"]["ebox"]["matrix_id"] == EBOX


def test_read_dataset_loads_train_and_test(sim, written):
    _, paths = written
    total = 0
    for part in ("train", "test"):
        data = read_dataset(paths[part])
        expected = sim.split == part
        assert data.X.shape == (expected.sum(), 4, LENGTH)
        assert data.n_shuffled == 0
        assert data.ids == [i for i, e in zip(sim.ids, expected) if e]
        np.testing.assert_array_equal(data.labels, sim.labels[expected])
        # The one-hot matches the sequences.
        first = sim.sequences[int(np.flatnonzero(expected)[0])]
        assert "".join("ACGT"[k] for k in data.X[0].argmax(0).tolist()) == first
        total += len(data)
    assert total == N


def test_sites_file_matches_sequences(sim, written):
    _, paths = written
    sites = read_sites(paths["sites"])
    assert sites == sim.sites
    sequences, splits = {}, {}
    for part in ("train", "test"):
        for row in _read_tsv(paths[part])[1:]:
            sequences[row[0]], splits[row[0]] = row[1], part
    assert sequences == dict(zip(sim.ids, sim.sequences))
    log_odds = {m: motif_by_id(m).log_odds() for m in (GATA, EBOX)}
    scores = {m: [] for m in log_odds}
    for site in sites:
        assert site["split"] == splits[site["id"]]
        window = sequences[site["id"]][site["start"] : site["end"]]
        scores[site["matrix_id"]].append(_score(window, log_odds[site["matrix_id"]]))
    for matrix_id, values in scores.items():
        # Sampled sites vary, but nearly all score like the motif, not like noise.
        assert np.mean(np.array(values) > 0) > 0.95, matrix_id


def test_planted_mask_marks_exactly_the_sites(sim):
    mask = planted_mask(sim.sites, sim.ids, LENGTH)
    assert mask.shape == (N, LENGTH) and mask.dtype == bool
    expected = np.zeros((N, LENGTH), dtype=bool)
    row = {i: k for k, i in enumerate(sim.ids)}
    for site in sim.sites:
        expected[row[site["id"]], site["start"] : site["end"]] = True
    np.testing.assert_array_equal(mask, expected)
    per_sequence = np.where(np.isin(sim.kinds, ["gata-only", "ebox-only"]), 7, 14)
    np.testing.assert_array_equal(mask.sum(axis=1), per_sequence)
    # Rows follow the ids given; sites of other ids are skipped.
    test_ids = [i for i, s in zip(sim.ids, sim.split) if s == "test"][::-1]
    sub = planted_mask(sim.sites, test_ids, LENGTH)
    np.testing.assert_array_equal(sub, mask[[row[i] for i in test_ids]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 1},
        {"spacing": 98},
        {"spacing": 3},
        {"test_fraction": 1.0},
        {"negative_mix": {"both-wrong": 1.0}},
        {"negative_mix": {"gata-only": 0.0}},
        {"length": 40, "spacing": 25},  # no wrong spacing d in [20, 33] is 10 away from 25
    ],
)
def test_bad_parameters_raise(kwargs):
    with pytest.raises(InputError):
        simulate(**{"n": 20, **kwargs})
