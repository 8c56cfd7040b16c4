"""Measurements of generators and critics."""

from ganlip.metrics.frechet import frechet_distance
from ganlip.metrics.spectra import LayerSpectrum, spectra
from ganlip.metrics.swd import sliced_wasserstein
from ganlip.metrics.w1 import exact_w1

__all__ = ["LayerSpectrum", "exact_w1", "frechet_distance", "sliced_wasserstein", "spectra"]
