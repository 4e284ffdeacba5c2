"""Errors the analysis stage raises for bad input."""


class AnalysisError(Exception):
    """A transcript or analysis setting cannot be used."""
