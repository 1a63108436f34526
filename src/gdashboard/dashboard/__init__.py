"""Figures for papers and the dashboard."""
