"""Known motifs (JASPAR), motif extraction and comparison."""
