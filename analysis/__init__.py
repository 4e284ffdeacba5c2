"""Text and timings in, roles, labels, price mentions and call metrics out. No audio here."""
from analysis.errors import AnalysisError
from analysis.types import (
    BUYER,
    LABELS,
    SELLER,
    CallAnalysis,
    CallMetrics,
    LabelledUtterance,
    PriceMention,
    RoleAssignment,
)

__all__ = [
    "BUYER",
    "LABELS",
    "SELLER",
    "AnalysisError",
    "CallAnalysis",
    "CallMetrics",
    "LabelledUtterance",
    "PriceMention",
    "RoleAssignment",
]
