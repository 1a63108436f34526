"""What a model learned, compared with known motifs: windows cut from explanations
(extract), compared with JASPAR by Tomtom (compare), FIMO sites (sites), MEME-format files
(meme), sequence logos (logo), and ``gdash motifs``, the paper's Table 4 per run (analysis).

The JASPAR motifs themselves are reference data, in :mod:`gdashboard.data.jaspar`.
"""
