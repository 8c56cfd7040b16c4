"""Measurements of generators and critics."""

from ganlip.metrics.spectra import matrix_spectral_norms

__all__ = ["matrix_spectral_norms"]
