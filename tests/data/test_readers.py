"""Readers: DeepBind .seq, label FASTA, positives-only FASTA, TSV/CSV; errors name file+line."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

from gdashboard.data.onehot import one_hot_decode, one_hot_encode
from gdashboard.data.paths import data_home
from gdashboard.data.readers import experiment_name, read_dataset, tf_name
from gdashboard.errors import InputError

# Fixed 12-bp sequences (all distinct compositions where it matters).
S1, S2, S3, S4 = "ACGTACGTAACC", "GGGTTTACACGT", "TTTTAAAACCCG", "CAGTCAGTGGAA"
DEEPBIND_HEADER = "FoldID\tEventID\tseq\tBound"


def write(directory: Path, name: str, text: str, gz: bool = False) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def deepbind_text(rows) -> str:
    return "\n".join([DEEPBIND_HEADER] + ["\t".join(map(str, r)) for r in rows]) + "\n"


def raises_at(path: Path, line: int | None, problem: str, **kwargs) -> InputError:
    """read_dataset(path) raises an InputError "PATH, line N: problem"."""
    with pytest.raises(InputError) as info:
        read_dataset(path, **kwargs)
    message = str(info.value)
    where = str(path) if line is None else f"{path}, line {line}"
    assert message.startswith(where + ": "), message
    assert re.search(problem, message, re.IGNORECASE), message
    assert info.value.line == line
    return info.value


def dinucleotides(sequence: str) -> Counter:
    return Counter(sequence[i : i + 2] for i in range(len(sequence) - 1))


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("ARID3A_K562_ARID3A_(sc-8821)_Stanford_AC.seq.gz", "ARID3A_K562_ARID3A_(sc-8821)_Stanford"),
        ("ARID3A_K562_ARID3A_(sc-8821)_Stanford_B.seq.gz", "ARID3A_K562_ARID3A_(sc-8821)_Stanford"),
        ("MYC_H1-hESC_c-Myc_Stanford_AC.seq", "MYC_H1-hESC_c-Myc_Stanford"),
        ("GATA1_K562_GATA-1_USC/train.fa", "GATA1_K562_GATA-1_USC"),
        ("GATA1_K562_GATA-1_USC/test.fa", "GATA1_K562_GATA-1_USC"),
        ("GATA1_K562_GATA-1_USC/test.fa.gz", "GATA1_K562_GATA-1_USC"),
        ("somewhere/my_peaks.tsv", "my_peaks"),
    ],
)
def test_experiment_name(tmp_path, filename, expected):
    assert experiment_name(tmp_path / filename) == expected


def test_experiment_name_of_a_relative_path_from_inside_the_folder(tmp_path, monkeypatch):
    folder = tmp_path / "GATA1_K562_GATA-1_USC"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert experiment_name("train.fa") == "GATA1_K562_GATA-1_USC"
    assert experiment_name("./test.fa") == "GATA1_K562_GATA-1_USC"


def test_tf_name():
    assert tf_name("ARID3A_K562_ARID3A_(sc-8821)_Stanford") == "ARID3A"
    assert tf_name("GATA1_K562_GATA-1_USC") == "GATA1"
    assert tf_name("CTCF") == "CTCF"


# --------------------------------------------------------------------------- DeepBind


@pytest.mark.parametrize("gz", [False, True])
def test_deepbind_with_negatives(tmp_path, gz):
    rows = [
        ("A", "seq_1_peak", S1, 1),
        ("A", "seq_1_shuf", S2, 0),
        ("B", "seq_2_peak", S3.lower(), 1),
        ("B", "seq_2_shuf", S4, 0),
    ]
    name = "CTCF_K562_CTCF_Lab_B.seq" + (".gz" if gz else "")
    data = read_dataset(write(tmp_path, name, deepbind_text(rows), gz=gz))
    assert data.ids == ["seq_1_peak", "seq_1_shuf", "seq_2_peak", "seq_2_shuf"]
    np.testing.assert_array_equal(data.labels, [1, 0, 1, 0])
    assert data.X.shape == (4, 4, 12) and data.X.dtype == torch.float32
    assert one_hot_decode(data.X) == [S1, S2, S3, S4]
    assert data.name == "CTCF_K562_CTCF_Lab" and data.tf == "CTCF"
    assert data.n_shuffled == 0
    assert len(set(data.groups.tolist())) == 4  # compositions differ: no pairs


def test_deepbind_positives_only_gets_shuffles(tmp_path):
    rows = [("A", f"seq_{i}_peak", s, 1) for i, s in enumerate([S1, S2, S3], start=1)]
    data = read_dataset(write(tmp_path, "CTCF_K562_CTCF_Lab_AC.seq.gz", deepbind_text(rows), gz=True))
    assert len(data) == 6 and data.n_shuffled == 3
    np.testing.assert_array_equal(data.labels, [1, 1, 1, 0, 0, 0])
    assert data.ids[3:] == ["seq_1_peak:shuffle", "seq_2_peak:shuffle", "seq_3_peak:shuffle"]
    np.testing.assert_array_equal(data.groups[3:], data.groups[:3])
    assert len(set(data.groups.tolist())) == 3
    decoded = one_hot_decode(data.X)
    for original, shuffle in zip(decoded[:3], decoded[3:]):
        assert dinucleotides(shuffle) == dinucleotides(original)
    assert data.name == "CTCF_K562_CTCF_Lab"


def test_deepbind_crlf_and_blank_lines(tmp_path):
    text = deepbind_text([("A", "e1", S1, 1), ("A", "e2", S2, 0)]).replace("\n", "\r\n") + "\r\n"
    data = read_dataset(write(tmp_path, "X_B.seq", text))
    assert data.ids == ["e1", "e2"]
    np.testing.assert_array_equal(data.labels, [1, 0])


def test_deepbind_wrong_column_count(tmp_path):
    text = deepbind_text([("A", "e1", S1, 1)]) + f"A\te2\t{S2}\n"
    raises_at(write(tmp_path, "X_B.seq", text), 3, "expected 4 tab-separated fields, found 3")


def test_deepbind_too_many_columns_gz(tmp_path):
    text = deepbind_text([("A", "e1", S1, 1), ("A", "e2", S2, 0, "extra")])
    raises_at(write(tmp_path, "X_B.seq.gz", text, gz=True), 3, "found 5")


@pytest.mark.parametrize("bound", ["2", "yes", "", "1.0"])
def test_deepbind_bad_label(tmp_path, bound):
    text = deepbind_text([("A", "e1", S1, 1), ("A", "e2", S2, 0), ("A", "e3", S3, bound)])
    raises_at(write(tmp_path, "X_B.seq", text), 4, "Bound must be 0 or 1")


def test_deepbind_bad_header(tmp_path):
    text = "id\tsequence\tbound\n" + f"e1\t{S1}\t1\n"
    raises_at(write(tmp_path, "X_B.seq", text), 1, "DeepBind header")


def test_deepbind_bad_character(tmp_path):
    text = deepbind_text([("A", "e1", S1, 1), ("A", "e2", S2[:5] + "X" + S2[6:], 0)])
    raises_at(write(tmp_path, "X_B.seq", text), 3, r"invalid character 'X' at position 6")


def test_deepbind_ragged_length(tmp_path):
    text = deepbind_text([("A", "e1", S1, 1), ("A", "e2", S2, 0), ("A", "e3", S3[:-2], 1)])
    raises_at(write(tmp_path, "X_B.seq", text), 4, "length 10 where the first has 12")


# --------------------------------------------------------------------------- label FASTA


@pytest.mark.parametrize("spaced", [True, False])
@pytest.mark.parametrize("gz", [False, True])
def test_label_fasta_with_and_without_space(tmp_path, spaced, gz):
    sep = "> " if spaced else ">"
    text = f"{sep}1\n{S1}\n{sep}0\n{S2}\n{sep}1\n{S3}\n{sep}0\n{S4}\n"
    path = write(tmp_path / "GATA1_K562_GATA-1_USC", "test.fa" + (".gz" if gz else ""), text, gz=gz)
    data = read_dataset(path)
    np.testing.assert_array_equal(data.labels, [1, 0, 1, 0])
    assert data.ids == ["test:1", "test:2", "test:3", "test:4"]
    assert one_hot_decode(data.X) == [S1, S2, S3, S4]
    assert data.name == "GATA1_K562_GATA-1_USC" and data.tf == "GATA1"
    assert data.n_shuffled == 0


def test_label_fasta_mixed_spacing(tmp_path):
    data = read_dataset(write(tmp_path, "x.fa", f"> 1\n{S1}\n>0\n{S2}\n>  1 \n{S3}\n"))
    np.testing.assert_array_equal(data.labels, [1, 0, 1])


def test_train_fa_positive_shuffle_pairs_share_groups(tmp_path):
    # positive, its shuffle (same composition), positive, its shuffle, then an unpaired negative
    shuffle1 = "ACGTAACCACGT"  # same bases as S1
    shuffle3 = "AAAACCCGTTTT"  # same bases as S3
    assert sorted(shuffle1) == sorted(S1) and sorted(shuffle3) == sorted(S3)
    text = f"> 1\n{S1}\n> 0\n{shuffle1}\n> 1\n{S3}\n> 0\n{shuffle3}\n> 0\n{S2}\n"
    data = read_dataset(write(tmp_path / "EXP_cell", "train.fa", text))
    g = data.groups
    assert g[0] == g[1] and g[2] == g[3]
    assert len({g[0], g[2], g[4]}) == 3
    assert data.name == "EXP_cell" and data.n_shuffled == 0


def test_label_fasta_negative_unlike_positive_is_not_paired(tmp_path):
    data = read_dataset(write(tmp_path, "x.fa", f">1\n{S1}\n>0\n{S2}\n"))
    assert data.groups[0] != data.groups[1]


def test_label_fasta_of_positives_only_gets_shuffles(tmp_path):
    data = read_dataset(write(tmp_path, "x.fa", f">1\n{S1}\n>1\n{S2}\n"))
    assert data.ids == ["x:1", "x:2", "x:1:shuffle", "x:2:shuffle"]
    np.testing.assert_array_equal(data.labels, [1, 1, 0, 0])


# --------------------------------------------------------------------------- positives-only FASTA


def test_positive_fasta_gets_one_shuffle_per_positive(tmp_path):
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGT"), 50)) for _ in range(5)]
    sequences[2] = sequences[2][:10] + "NN" + sequences[2][12:]
    text = "".join(f">peak{i} chr1:{i}00-{i}50\n{s}\n" for i, s in enumerate(sequences))
    path = write(tmp_path, "ZNF_HepG2_peaks.fasta.gz", text, gz=True)
    data = read_dataset(path, seed=3)
    assert len(data) == 10 and data.n_shuffled == 5
    assert data.ids[:5] == [f"peak{i}" for i in range(5)]
    assert data.ids[5:] == [f"peak{i}:shuffle" for i in range(5)]
    np.testing.assert_array_equal(data.labels, [1] * 5 + [0] * 5)
    np.testing.assert_array_equal(data.groups[5:], data.groups[:5])
    assert len(set(data.groups[:5].tolist())) == 5
    decoded = one_hot_decode(data.X)
    assert decoded[:5] == sequences
    for original, shuffle in zip(decoded[:5], decoded[5:]):
        assert Counter(shuffle) == Counter(original)
        assert dinucleotides(shuffle) == dinucleotides(original)
        assert shuffle != original
    assert data.name == "ZNF_HepG2_peaks" and data.tf == "ZNF"

    again = read_dataset(path, seed=3)
    assert torch.equal(again.X, data.X)
    other = read_dataset(path, seed=4)
    assert not torch.equal(other.X[5:], data.X[5:])
    assert torch.equal(other.X[:5], data.X[:5])


def test_shuffle_negatives_can_be_turned_off_and_forced(tmp_path):
    path = write(tmp_path, "p.fa", f">a\n{S1}\n>b\n{S2}\n")
    assert len(read_dataset(path, shuffle_negatives=False)) == 2
    labelled = write(tmp_path, "l.fa", f">1\n{S1}\n>0\n{S2}\n")
    forced = read_dataset(labelled, shuffle_negatives=True)
    assert forced.ids == ["l:1", "l:2", "l:1:shuffle"]
    assert forced.groups[2] == forced.groups[0]


def test_fasta_multiline_records(tmp_path):
    text = f">a\n{S1[:5]}\n{S1[5:]}\n\n>b\n{S2[:7]}\n{S2[7:]}\n"
    data = read_dataset(write(tmp_path, "m.fa", text), shuffle_negatives=False)
    assert one_hot_decode(data.X) == [S1, S2]


def test_fasta_named_and_label_headers_mixed(tmp_path):
    raises_at(write(tmp_path, "x.fa", f">a\n{S1}\n>1\n{S2}\n"), 3, "mixes label headers")


def test_fasta_without_header(tmp_path):
    raises_at(write(tmp_path, "x.fa", f"{S1}\n>1\n{S2}\n"), 1, "must start with a '>' header")


def test_fasta_without_header_after_blank_line(tmp_path):
    raises_at(write(tmp_path, "x.fa.gz", f"\n{S1}\n", gz=True), 2, "must start with a '>' header")


def test_fasta_record_without_sequence(tmp_path):
    raises_at(write(tmp_path, "x.fa", f">1\n{S1}\n>0\n>1\n{S2}\n"), 4, "no sequence")


def test_fasta_bad_character(tmp_path):
    text = f">1\n{S1}\n>0\n{S2[:3]}-{S2[4:]}\n"
    raises_at(write(tmp_path, "x.fa", text), 4, r"invalid character '-' at position 4")


def test_fasta_bad_character_names_its_own_line_in_a_wrapped_record(tmp_path):
    # the bad character is on the record's second sequence line (file line 3)
    text = f">1\n{S1}\n{S2[:3]}U{S2[4:]}\n>0\n{S3}{S4}\n"
    raises_at(write(tmp_path, "x.fa", text), 3, "invalid character 'U'")


def test_fasta_ragged_length_names_first_offender(tmp_path):
    text = f">1\n{S1}\n>0\n{S2}\n>1\n{S3}AC\n>0\n{S4}A\n"
    raises_at(write(tmp_path, "x.fa", text), 6, "length 14 where the first has 12")


def test_pad_with_n(tmp_path):
    text = f">1\n{S1[:8]}\n>0\n{S2}\n>1\n{S3[:10]}\n"
    data = read_dataset(write(tmp_path, "x.fa", text), pad=True)
    assert data.X.shape == (3, 4, 12)
    assert one_hot_decode(data.X) == [S1[:8] + "NNNN", S2, S3[:10] + "NN"]
    assert data.X[0, :, 8:].sum() == 0
    assert torch.equal(data.X[0, :, :8], one_hot_encode(S1[:8])[0])


def test_lower_case_and_n_in_file(tmp_path):
    data = read_dataset(write(tmp_path, "x.fa", ">1\nacgtn\n>0\nNNCGT\n"))
    assert torch.equal(data.X, one_hot_encode(["ACGTN", "NNCGT"]))
    assert data.X[0, :, 4].sum() == 0


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize(
    "name, sep, gz", [("t.tsv", "\t", False), ("t.csv", ",", False), ("t.csv.gz", ",", True), ("t.txt", "\t", False)]
)
def test_table_without_id(tmp_path, name, sep, gz):
    text = f"sequence{sep}label\n{S1}{sep}1\n{S2}{sep}0\n\n{S3}{sep}1\n"
    data = read_dataset(write(tmp_path, name, text, gz=gz))
    assert data.ids == ["t:1", "t:2", "t:3"]
    np.testing.assert_array_equal(data.labels, [1, 0, 1])
    assert one_hot_decode(data.X) == [S1, S2, S3]
    assert data.name == "t"


def test_table_with_id_and_extra_columns_any_order(tmp_path):
    text = f"Label,score,ID,Sequence\n1,0.5,p1,{S1}\n0,0.1,n1,{S2}\n"
    data = read_dataset(write(tmp_path, "t.csv", text))
    assert data.ids == ["p1", "n1"]
    np.testing.assert_array_equal(data.labels, [1, 0])
    assert one_hot_decode(data.X) == [S1, S2]


def test_table_positives_only_gets_shuffles(tmp_path):
    data = read_dataset(write(tmp_path, "t.tsv", f"id\tsequence\tlabel\np1\t{S1}\t1\np2\t{S2}\t1\n"))
    assert data.ids == ["p1", "p2", "p1:shuffle", "p2:shuffle"]
    np.testing.assert_array_equal(data.groups[2:], data.groups[:2])


@pytest.mark.parametrize(
    "header, missing", [("seq\tlabel", "sequence"), ("sequence\tbound", "label"), ("id\tvalue", "sequence")]
)
def test_table_missing_column(tmp_path, header, missing):
    raises_at(write(tmp_path, "t.tsv", f"{header}\n{S1}\t1\n"), 1, f"no '{missing}' column")


def test_table_bad_label(tmp_path):
    text = f"sequence,label\n{S1},1\n{S2},0\n{S3},positive\n"
    raises_at(write(tmp_path, "t.csv", text), 4, "label must be 0 or 1, found 'positive'")


def test_table_wrong_field_count(tmp_path):
    text = f"sequence\tlabel\n{S1}\t1\n{S2}\t0\textra\n"
    raises_at(write(tmp_path, "t.tsv", text), 3, "expected 2 fields, found 3")


def test_table_bad_character(tmp_path):
    text = f"sequence,label\n{S1},1\n{S2},0\n{S3[:-1]}R,1\n"
    raises_at(write(tmp_path, "t.csv", text), 4, "invalid character 'R' at position 12")


def test_table_header_only(tmp_path):
    raises_at(write(tmp_path, "t.tsv", "sequence\tlabel\n"), None, "no sequences")


# --------------------------------------------------------------------------- detection by content


def test_unknown_extension_sniffs_fasta(tmp_path):
    data = read_dataset(write(tmp_path, "seqs.dat", f"\n>1\n{S1}\n>0\n{S2}\n"))
    np.testing.assert_array_equal(data.labels, [1, 0])


def test_unknown_extension_sniffs_deepbind(tmp_path):
    data = read_dataset(write(tmp_path, "X_B", deepbind_text([("A", "e1", S1, 1), ("A", "e2", S2, 0)])))
    assert data.ids == ["e1", "e2"]


def test_unknown_extension_sniffs_table(tmp_path):
    data = read_dataset(write(tmp_path, "t.data", f"sequence,label\n{S1},1\n{S2},0\n"))
    assert data.ids == ["t:1", "t:2"]


def test_unknown_extension_unknown_content(tmp_path):
    raises_at(write(tmp_path, "t.dat", "hello world\n"), 1, "unknown format")


def test_txt_holding_fasta_is_read_by_content(tmp_path):
    # ".txt" says nothing about the format: a FASTA saved as .txt is still FASTA
    data = read_dataset(write(tmp_path, "seqs.txt", f">1\n{S1}\n>0\n{S2}\n"))
    np.testing.assert_array_equal(data.labels, [1, 0])


# --------------------------------------------------------------------------- empty, missing, unreadable


@pytest.mark.parametrize(
    "name, gz",
    [("x.fa", False), ("x.seq", False), ("x.tsv", False), ("x.seq.gz", True), ("x.fa.gz", True), ("x.dat", False)],
)
def test_empty_file(tmp_path, name, gz):
    path = write(tmp_path, name, "", gz=gz)
    with pytest.raises(InputError) as info:
        read_dataset(path)
    assert str(info.value).startswith(f"{path}: ")
    assert re.search("empty|no FASTA records|no sequences", str(info.value))


def test_missing_file(tmp_path):
    path = tmp_path / "nope.fa"
    raises_at(path, None, "no such file")


def test_folder_is_refused(tmp_path):
    raises_at(tmp_path, None, "is a folder")


def test_gz_that_is_not_gzip(tmp_path):
    path = write(tmp_path, "x.fa.gz", f">1\n{S1}\n")  # plain text under a .gz name
    raises_at(path, None, "cannot be read")


# --------------------------------------------------------------------------- real data


def _shared(*parts: str) -> Path:
    path = data_home(*parts)
    if not path.exists():
        pytest.skip(f"real data {path} is absent (set GDASH_DATA to the folder that holds it)")
    return path


def test_real_deepmotif_train_fa():
    data = read_dataset(_shared("deepmotif", "GATA1_K562_GATA-1_USC", "train.fa"))
    assert len(data) == 7148 and data.length == 101
    assert int(data.labels.sum()) == 3574 and data.n_shuffled == 0
    assert len(np.unique(data.groups)) == 3574
    # every group is one positive and one negative
    np.testing.assert_array_equal(
        np.bincount(data.groups[data.labels == 1], minlength=len(data)),
        np.bincount(data.groups[data.labels == 0], minlength=len(data)),
    )
    assert data.name == "GATA1_K562_GATA-1_USC" and data.tf == "GATA1"
    assert data.ids[:2] == ["train:1", "train:2"]


def test_real_deepmotif_test_fa():
    data = read_dataset(_shared("deepmotif", "GATA1_K562_GATA-1_USC", "test.fa"))
    assert len(data) == 1000 and data.X.shape == (1000, 4, 101)
    assert 0 < int(data.labels.sum()) < 1000


def test_real_encode_b():
    data = read_dataset(_shared("encode", "NFE2_K562_NF-E2_Yale_B.seq.gz"))
    assert len(data) == 1000 and data.X.shape == (1000, 4, 101)
    assert int(data.labels.sum()) == 500 and data.n_shuffled == 0
    assert data.ids[0] == "seq_00002_peak"
    assert all(i.endswith("_peak") for i, y in zip(data.ids, data.labels) if y == 1)
    assert data.name == "NFE2_K562_NF-E2_Yale" and data.tf == "NFE2"


def test_real_encode_ac_gets_shuffles():
    path = _shared("encode", "SERBP1_H1-hESC_HudsonAlpha_AC.seq.gz")
    data = read_dataset(path)
    assert len(data) == 2 * 1263 and data.n_shuffled == 1263
    assert int(data.labels.sum()) == 1263
    assert data.ids[1263] == data.ids[0] + ":shuffle"
    np.testing.assert_array_equal(data.groups[1263:], data.groups[:1263])
    assert len(np.unique(data.groups)) == 1263
    assert data.name == "SERBP1_H1-hESC_HudsonAlpha" and data.tf == "SERBP1"
