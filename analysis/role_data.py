"""The hand-written calls that train and score seller identification, and how it is scored.

``role_calls_train.txt`` and ``role_calls_heldout.txt`` (format in their header) hold whole calls
with the true side of every speaker. ``RoleCall.utterances()`` hides the truth behind
diarization-style labels (``SPEAKER_00`` in order of first speech), as the pipeline sees a call.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.config import AnalysisConfig
from analysis.types import RoleAssignment
from transcription.types import Utterance

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_CALLS_PATH = DATA_DIR / "role_calls_train.txt"
HELDOUT_CALLS_PATH = DATA_DIR / "role_calls_heldout.txt"
UTTERANCES_PATH = DATA_DIR / "role_utterances.txt"
SELLER_TAGS = ("S", "S2")
BUYER_TAGS = ("B", "B2")
RELIABILITY_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
_TURN_SECONDS = 4.0


@dataclass(frozen=True)
class RoleCall:
    """One labelled call: speaker tags ``S``/``S2`` are sellers, ``B``/``B2`` buyers."""

    call_id: str
    industry: str
    call_type: str
    intro: str
    style: str
    config: AnalysisConfig
    turns: tuple[tuple[str, str], ...]

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys(tag for tag, _ in self.turns))

    @property
    def buyer_first_no_intro(self) -> bool:
        """The hard case: the buyer speaks first and nobody says who they are."""
        return self.turns[0][0] in BUYER_TAGS and self.intro == "none"

    def speaker_label(self, tag: str) -> str:
        return f"SPEAKER_{self.tags.index(tag):02d}"

    def utterances(self, transform: Callable[[str], str] = str) -> list[Utterance]:
        """The call as diarization would give it: anonymous speakers, one turn every 4 s."""
        return [
            Utterance(self.speaker_label(tag), i * _TURN_SECONDS, i * _TURN_SECONDS + 3.5, transform(text))
            for i, (tag, text) in enumerate(self.turns)
        ]

    def true_sellers(self) -> set[str]:
        return {self.speaker_label(t) for t in self.tags if t in SELLER_TAGS}

    def prefix(self, n_turns: int) -> "RoleCall":
        """The first ``n_turns`` turns (a call cut short, or one with little said)."""
        return _replace_turns(self, self.turns[:n_turns])


def cut_short(calls: Sequence[RoleCall], turns: Sequence[int]) -> list[RoleCall]:
    """Each call cut after each of ``turns`` turns, keeping only cuts that still hold all its speakers."""
    return [p for c in calls for n in turns if len(c.turns) > n and len((p := c.prefix(n)).tags) == len(c.tags)]


def _replace_turns(call: RoleCall, turns: tuple[tuple[str, str], ...]) -> RoleCall:
    return RoleCall(call.call_id, call.industry, call.call_type, call.intro, call.style, call.config, turns)


def load_role_calls(path: Path) -> list[RoleCall]:
    """Parse a role-calls file (see its header for the format)."""
    calls: list[RoleCall] = []
    header: dict[str, str] | None = None
    turns: list[tuple[str, str]] = []

    def flush() -> None:
        if header is not None:
            if not turns:
                raise ValueError(f"{path}: call {header['id']} has no turns")
            calls.append(_call(header, turns))

    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            flush()
            fields = line[4:].split()
            header = {"id": fields[0], **dict(f.split("=", 1) for f in fields[1:])}
            turns = []
            continue
        tag, sep, text = line.partition(":")
        if header is None or not sep or tag not in SELLER_TAGS + BUYER_TAGS or not text.strip():
            raise ValueError(f"{path}:{n}: expected 'S: text' / 'B: text' inside a call, got {line!r}")
        turns.append((tag, text.strip()))
    flush()
    return calls


def _call(header: dict[str, str], turns: list[tuple[str, str]]) -> RoleCall:
    def names(key: str) -> tuple[str, ...]:
        return tuple(v.replace("_", " ") for v in header.get(key, "").split(",") if v)

    config = AnalysisConfig(
        company_names=names("company"), product_names=names("products"), seller_names=names("seller_name")
    )
    return RoleCall(header["id"], header["industry"], header["type"], header["intro"], header["style"],
                    config, tuple(turns))


@dataclass(frozen=True)
class SidedText:
    """A standalone utterance and the side that says it."""

    text: str
    seller: bool
    industry: str


def load_role_utterances(path: Path = UTTERANCES_PATH) -> list[SidedText]:
    """Parse ``[industry]`` sections of ``S: text`` / ``B: text`` lines."""
    rows, industry = [], None
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            industry = line[1:-1]
            continue
        tag, sep, text = line.partition(":")
        if industry is None or not sep or tag not in ("S", "B") or not text.strip():
            raise ValueError(f"{path}:{n}: expected 'S: text' / 'B: text' inside an [industry] section")
        rows.append(SidedText(text.strip(), tag == "S", industry))
    return rows


@dataclass(frozen=True)
class ReliabilityBin:
    """Calls whose stated confidence fell in ``[low, high)``: how often the seller was right."""

    low: float
    high: float
    calls: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class RoleScore:
    calls: int
    correct: int
    accuracy: float
    reliability: tuple[ReliabilityBin, ...]
    expected_calibration_error: float
    wrong: tuple[str, ...] = field(default=())


def is_correct(call: RoleCall, roles: RoleAssignment) -> bool:
    """Right when exactly the true sellers are called sellers."""
    return {s for s, r in roles.roles.items() if r == "seller"} == call.true_sellers()


def score_roles(calls: Sequence[RoleCall], assignments: Sequence[RoleAssignment]) -> RoleScore:
    """Accuracy and the reliability table (stated confidence vs how often it was right)."""
    results = [(a.confidence, is_correct(c, a)) for c, a in zip(calls, assignments)]
    bins, ece = [], 0.0
    for low, high in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]):
        inside = [(p, ok) for p, ok in results if low <= p < high or (high == 1.0 and p == 1.0)]
        if inside:
            mean_p = sum(p for p, _ in inside) / len(inside)
            acc = sum(ok for _, ok in inside) / len(inside)
            ece += len(inside) / len(results) * abs(mean_p - acc)
            bins.append(ReliabilityBin(low, high, len(inside), round(mean_p, 3), round(acc, 3)))
        else:
            bins.append(ReliabilityBin(low, high, 0, None, None))
    correct = sum(ok for _, ok in results)
    wrong = tuple(c.call_id for c, (_, ok) in zip(calls, results) if not ok)
    return RoleScore(len(results), correct, correct / len(results) if results else 0.0, tuple(bins),
                     round(ece, 4), wrong)


def format_reliability(score: RoleScore) -> str:
    """The reliability table as Markdown."""
    lines = ["| stated confidence | calls | mean stated | right |", "|---|---|---|---|"]
    for b in score.reliability:
        if b.calls:
            lines.append(f"| {b.low:.2f}-{b.high:.2f} | {b.calls} | {b.mean_confidence:.3f} | {b.accuracy:.3f} |")
    return "\n".join(lines)
