"""Looking a TF up in the pinned JASPAR release (pyjaspar, offline)."""

from gdashboard.data.jaspar import motifs_for_tf


def _names(tf):
    return {motif.name.upper() for motif in motifs_for_tf(tf)}


def test_lookup_ignores_case_and_includes_heterodimers_naming_the_tf():
    names = _names("gata1")
    assert names == _names("GATA1")
    assert "GATA1" in names and "GATA1::TAL1" in names
    assert all("GATA1" in name.split("::") for name in names)


def test_lookup_is_by_whole_name_not_prefix():
    assert not any("NFE2L" in name for name in _names("NFE2"))  # NFE2L1, NFE2L2 are other TFs
    assert "MYCN" not in _names("MYC") and "BATF3" not in _names("ATF3")


def test_tfs_that_jaspar_lacks_give_nothing():
    for tf in ("SERBP1", "SUZ12", "TAF1"):
        assert motifs_for_tf(tf) == []
