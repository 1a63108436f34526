"""What a model learned, compared with known motifs: windows cut from explanations
(extract), compared with JASPAR by Tomtom (compare), FIMO sites (sites), MEME-format files
(meme), sequence and contribution logos (logo), ``gdash motifs``, the paper's Table 4 per run
(analysis), and ``gdash modisco``, TF-MoDISco patterns matched with JASPAR (modisco).

The JASPAR motifs themselves are reference data, in :mod:`gdashboard.data.jaspar`.
"""
