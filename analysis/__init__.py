"""Text and timings in, roles, labels and push kinds, price mentions and call metrics out. No audio here."""
from analysis.amounts import Amount, find_amounts
from analysis.classifier import TurnClassifier, TurnLabel, classify_text, load_classifier
from analysis.config import AnalysisConfig
from analysis.errors import AnalysisError
from analysis.metrics import compute_metrics
from analysis.pipeline import analyze_call
from analysis.price import PRICE_KINDS, PriceDetector, PriceHit, load_price_detector
from analysis.push_kind import PushKind, PushKindHead, load_push_head
from analysis.questions import is_question
from analysis.roles import assign_roles
from analysis.transcript_io import LoadedTranscript, load_transcript, parse_transcript
from analysis.types import (
    BUYER,
    LABELS,
    PUSH_KINDS,
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
    "PRICE_KINDS",
    "PUSH_KINDS",
    "SELLER",
    "Amount",
    "AnalysisConfig",
    "AnalysisError",
    "CallAnalysis",
    "CallMetrics",
    "LabelledUtterance",
    "LoadedTranscript",
    "PriceDetector",
    "PriceHit",
    "PriceMention",
    "PushKind",
    "PushKindHead",
    "RoleAssignment",
    "TurnClassifier",
    "TurnLabel",
    "analyze_call",
    "assign_roles",
    "classify_text",
    "compute_metrics",
    "find_amounts",
    "is_question",
    "load_classifier",
    "load_price_detector",
    "load_push_head",
    "load_transcript",
    "parse_transcript",
]
