"""Text and timings in, roles, labels and push kinds, price mentions and call metrics out. No audio here.

Names load on first use (lazy_loader): the CLI imports ``analysis.errors`` for every command, and
the classifier, ONNX Runtime and the price grammar would otherwise slow down ``callytics --help``.
"""
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "amounts": ["Amount", "find_amounts"],
        "classifier": ["TurnClassifier", "TurnLabel", "classify_text", "load_classifier"],
        "config": ["AnalysisConfig"],
        "errors": ["AnalysisError"],
        "metrics": ["compute_metrics"],
        "pipeline": ["analyze_call"],
        "price": ["PRICE_KINDS", "PriceDetector", "PriceHit", "load_price_detector"],
        "push_kind": ["PushKind", "PushKindHead", "load_push_head"],
        "questions": ["is_question"],
        "roles": ["assign_roles"],
        "transcript_io": ["LoadedTranscript", "load_transcript", "parse_transcript"],
        "types": ["BUYER", "LABELS", "PUSH_KINDS", "SELLER", "CallAnalysis", "CallMetrics",
                  "LabelledUtterance", "PriceMention", "RoleAssignment"],
    },
)
