"""Coaching pages: one self-contained HTML page per call, written beside the dashboard.

Each page shows the speaker-attributed transcript (cue phrases highlighted), the price mentions,
a timeline of who talks when and where discovery, usage and feature pitches and price fall, the
recording with every line jumping to its time, and coaching notes computed from the call's
metrics. A failed call gets a short page saying why it failed.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.request import pathname2url

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from analysis.config import AnalysisConfig
from analysis.metrics import longest_run_span
from analysis.types import BUYER, SELLER, LabelledUtterance, PriceMention
from warehouse.safe_text import html_text

__all__ = ["CoachingNote", "Recording", "amount_text", "clock", "coaching_notes", "highlight", "recording",
           "relative_url", "render_call_page", "timeline"]

log = logging.getLogger(__name__)

MAX_NOTES = 5
# Okabe-Ito colours, safe for the common colour-vision deficiencies; one colour per meaning.
COLOURS = {
    SELLER: "#0072B2", BUYER: "#E69F00", "unknown": "#999999",
    "discovery": "#009E73", "usage": "#CC79A7", "feature": "#D55E00", "price": "#000000",
}
MOMENT_LANES = (("discovery", "discovery questions"), ("usage", "usage pitches"),
                ("feature", "feature pitches"), ("price", "price mentions"))

# Click-to-seek: a time link plays the recording from there (and still scrolls to the line); the
# line being played is highlighted.
# The CSP admits this one script by its hash; it also marks the page ready for browser checks.
_SCRIPT = """
document.addEventListener('click', function (event) {
  var link = event.target.closest('[data-t]');
  var audio = document.getElementById('recording');
  if (!link || !audio) return;
  audio.currentTime = Number(link.getAttribute('data-t'));
  var playing = audio.play();
  if (playing) playing.catch(function () {});
});
var audio = document.getElementById('recording');
if (audio) {
  var lines = Array.prototype.slice.call(document.querySelectorAll('.line[data-start]'));
  audio.addEventListener('timeupdate', function () {
    var current = null;
    lines.forEach(function (line) { if (Number(line.getAttribute('data-start')) <= audio.currentTime) current = line; });
    lines.forEach(function (line) { line.classList.toggle('playing', line === current); });
  });
}
document.documentElement.setAttribute('data-page-ready', '1');
"""
_SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()

@dataclass(frozen=True)
class CoachingNote:
    """One observation about the call; ``at_s`` is where it happens, when it has a moment."""

    text: str
    at_s: float | None = None


@dataclass(frozen=True)
class Recording:
    """The player's source relative to the call page, or why the page has no player."""

    src: str | None
    missing_because: str | None = None


def render_call_page(call: dict, utterances: Sequence[LabelledUtterance], prices: Sequence[PriceMention], *,
                     recording: Recording, overview_href: str) -> str:
    """The HTML of one call's page; ``call`` is its ``v_calls`` row."""
    failed = call.get("status") == "failed"
    price_by_utterance = {p.utterance_idx: p for p in prices}
    lines = [{"u": u, "text": highlight(u.text, u.cues, price_by_utterance.get(u.idx)),
              "colour": COLOURS[_role_key(u.role)], "kind": _moment_kind(u)} for u in utterances]
    csp = ["default-src 'none'", "style-src 'unsafe-inline'", f"script-src '{_SCRIPT_HASH}'"]
    if recording.src is not None and not failed:
        csp.append("media-src 'self' file:")
    return _template().render(
        call=call, failed=failed, lines=lines, prices=prices, recording=recording,
        notes=[] if failed else [(note, _line_at(utterances, note.at_s)) for note in coaching_notes(call, utterances)],
        timeline=None if failed else timeline(utterances, prices, call.get("duration_s")),
        facts=[] if failed else _facts(call), overview_href=overview_href, csp="; ".join(csp),
        script=Markup(_SCRIPT), colours=COLOURS, moment_lanes=MOMENT_LANES,
        when=_when(call.get("call_at_local")), clock=clock, amount_text=amount_text,
    )


def coaching_notes(call: dict, utterances: Sequence[LabelledUtterance]) -> list[CoachingNote]:
    """Up to ``MAX_NOTES`` notes, each stated only when the call's metrics support it."""
    notes = [note for note in (_opening_note(call, utterances), _price_note(call), _monologue_note(call, utterances),
                               _talk_note(call), _pitch_kind_note(call, utterances)) if note is not None]
    return notes[:MAX_NOTES]


def recording(location: str | None, page_folder: Path, *, audio: bool = True) -> Recording:
    """Where the page finds the recording at ``location`` (a path, ``file://`` or object-storage URL)."""
    if not audio:
        return Recording(None, "Audio left out of this dashboard (--no-audio).")
    if location is None:
        return Recording(None, "The recording's location is unknown: the batch that stored this call "
                               "did not record its archive.")
    if "://" in location and not location.startswith("file://"):
        return Recording(None, f"The recording is in object storage ({location}); pages play local recordings "
                               "only.")
    path = Path(location.removeprefix("file://"))
    if not path.is_file():
        return Recording(None, f"The recording is not at {location} (moved, or the archive is on another machine).")
    return Recording(relative_url(path, page_folder))


def clock(seconds: float | None) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def amount_text(price: PriceMention) -> str:
    """"USD 40,000-60,000 per seat per year" from the parsed fields; empty when none was said."""
    if price.amount is None:
        return ""
    said = _number(price.amount) + ("" if price.amount_high is None else f"-{_number(price.amount_high)}")
    parts = [f"{price.currency} {said}" if price.currency else said]
    if price.unit:
        parts.append(f"per {price.unit}")
    if price.period:
        parts.append({"one_time": "one-time", "term": "for the term"}.get(price.period, f"per {price.period}"))
    return " ".join(parts)


def highlight(text: str, cues: Iterable[str], price: PriceMention | None = None) -> Markup:
    """``text`` escaped, with each cue phrase (and the price cue) found in it wrapped in ``<mark>``."""
    spans: list[tuple[int, int, str]] = []
    for phrase, css in [(c, "cue") for c in cues] + ([(price.cue, "price")] if price and price.cue else []):
        match = _phrase_pattern(phrase).search(text) if phrase.strip() else None
        if match and not any(s < match.end() and match.start() < e for s, e, _ in spans):
            spans.append((match.start(), match.end(), css))
    out, pos = [], 0
    for start, end, css in sorted(spans):
        out.append(html_text(text[pos:start], quote=False))
        out.append(f'<mark class="{css}">{html_text(text[start:end], quote=False)}</mark>')
        pos = end
    out.append(html_text(text[pos:], quote=False))
    return Markup("".join(out))


def timeline(utterances: Sequence[LabelledUtterance], prices: Sequence[PriceMention],
             duration_s: float | None) -> dict:
    """Lanes of the timeline strip: one per speaker, then one per kind of moment; x in 0-1000."""
    end = max([duration_s or 0.0, *(u.end for u in utterances), *(p.start for p in prices)]) or 1.0

    def x(seconds: float) -> float:
        return round(1000.0 * max(0.0, seconds) / end, 2)

    speakers: dict[str, dict] = {}
    for u in utterances:
        lane = speakers.setdefault(u.speaker, {"speaker": u.speaker, "role": u.role,
                                               "colour": COLOURS[_role_key(u.role)], "segments": []})
        lane["segments"].append({"x": x(u.start), "w": max(round(x(u.end) - x(u.start), 2), 0.5), "u": u})
    moments = {kind: [] for kind, _ in MOMENT_LANES}
    for u in utterances:
        if (kind := _moment_kind(u)) is not None:
            moments[kind].append({"x": x(u.start), "at": u.start, "idx": u.idx, "text": u.text})
    for p in prices:
        moments["price"].append({"x": x(p.start), "at": p.start, "idx": p.utterance_idx, "text": p.text})
    step = _tick_step(end)
    ticks = [{"x": x(t) / 10, "label": clock(t)} for t in range(0, int(end) + 1, step)]
    return {"speakers": list(speakers.values()), "moments": moments, "ticks": ticks}


def _opening_note(call: dict, utterances: Sequence[LabelledUtterance]) -> CoachingNote | None:
    first_discovery = call.get("first_discovery_s")
    first_feature = _first_start(u for u in utterances if _moment_kind(u) == "feature")
    before = "before any discovery question" if first_discovery is not None else "and no discovery question in the call"
    if call.get("feature_before_discovery") and _earlier(first_feature, first_discovery):
        return CoachingNote(f"First feature pitch at {clock(first_feature)}, {before}.", first_feature)
    first_push = call.get("first_product_push_s")
    if call.get("pitch_before_discovery") and _earlier(first_push, first_discovery):
        return CoachingNote(f"First pitch at {clock(first_push)}, {before}.", first_push)
    if first_discovery is not None:
        after = ("before any pitch" if first_push is None or first_discovery < first_push
                 else f"pitching from {clock(first_push)}")
        return CoachingNote(f"First discovery question at {clock(first_discovery)}, {after}.", first_discovery)
    if call.get("seller_turns"):
        return CoachingNote("The seller asked no discovery question in this call.")
    return None


def _price_note(call: dict) -> CoachingNote | None:
    first_price = call.get("first_price_s")
    if first_price is None:
        return CoachingNote("Price never came up.") if call.get("price_mentions") == 0 else None
    by = call.get("first_price_by")
    text = f"Price first raised by the {by} at {clock(first_price)}" if by else f"Price first came up at {clock(first_price)}"
    if call.get("first_price_kind"):
        text += f" (a {call['first_price_kind'].replace('_', ' ')})"
    if call.get("price_before_discovery"):
        text += ", before any discovery question"
    return CoachingNote(text + ".", first_price)


def _monologue_note(call: dict, utterances: Sequence[LabelledUtterance]) -> CoachingNote | None:
    longest = call.get("longest_seller_monologue_s")
    if longest is None:
        return None
    span = longest_run_span(utterances, SELLER, AnalysisConfig().monologue_break_s)
    # The stored length is the truth; the span is found again and shown only if it agrees.
    if span is not None and abs((span[1] - span[0]) - longest) < 0.05:
        return CoachingNote(f"Longest seller monologue {clock(longest)} at {clock(span[0])}.", span[0])
    return CoachingNote(f"Longest seller monologue {clock(longest)}.")


def _talk_note(call: dict) -> CoachingNote | None:
    ratio = call.get("seller_talk_ratio")
    if ratio is None:
        return None
    questions = call.get("seller_questions")
    asked = "" if questions is None else f"; the seller asked {questions} question{'s' * (questions != 1)}"
    return CoachingNote(f"The seller talked {ratio:.0%} of the time, the buyer {1 - ratio:.0%}{asked}.")


def _pitch_kind_note(call: dict, utterances: Sequence[LabelledUtterance]) -> CoachingNote | None:
    usage, feature = call.get("usage_turns"), call.get("feature_turns")
    if not usage and not feature:
        return None
    if not usage:
        pitches = "The one pitch was a feature pitch" if feature == 1 else f"All {feature} pitches were feature pitches"
        return CoachingNote(f"{pitches}; none tied the offering to the buyer's use.")
    first_usage = _first_start(u for u in utterances if _moment_kind(u) == "usage")
    share = f"{usage} of {usage + feature} pitches were about the buyer's use (usage share {usage / (usage + feature):.0%})"
    return CoachingNote(f"{share}, the first at {clock(first_usage)}." if first_usage is not None else f"{share}.",
                        first_usage)


def _facts(call: dict) -> list[tuple[str, str]]:
    def share(column: str) -> str:
        return "n/a" if call.get(column) is None else f"{call[column]:.0%}"

    return [("seller talk ratio", share("seller_talk_ratio")), ("discovery share", share("discovery_share")),
            ("usage share", share("usage_share")),
            ("seller questions", "n/a" if call.get("seller_questions") is None else str(call["seller_questions"])),
            ("price mentions", str(call.get("price_mentions") or 0))]


def _earlier(first: float | None, first_discovery: float | None) -> bool:
    """``first`` happened, before the first discovery question or with none (as the metrics say)."""
    return first is not None and (first_discovery is None or first < first_discovery)


def _moment_kind(u: LabelledUtterance) -> str | None:
    if u.role != SELLER:
        return None
    if u.label == "discovery":
        return "discovery"
    return u.push_kind if u.label == "product_push" and u.push_kind in ("usage", "feature") else None


def _line_at(utterances: Sequence[LabelledUtterance], at_s: float | None) -> int | None:
    """The utterance under way at ``at_s`` (the last one starting by then)."""
    if at_s is None:
        return None
    started = [u for u in utterances if u.start <= at_s + 1e-6]
    return max(started, key=lambda u: u.start).idx if started else None


def _role_key(role: str | None) -> str:
    return role if role in (SELLER, BUYER) else "unknown"


def _first_start(utterances: Iterable[LabelledUtterance]) -> float | None:
    return min((u.start for u in utterances), default=None)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A cue as normalised text matches the transcript with any case, punctuation or curly quotes."""
    words = [re.escape(w).replace("'", "['\u2019]") for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _tick_step(end_s: float) -> int:
    for step in (10, 30, 60, 120, 300, 600, 1200, 1800):
        if end_s / step <= 8:
            return step
    return 3600


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else ""


def relative_url(target: Path, folder: Path) -> str:
    """A relative URL from a page in ``folder`` to ``target``; a file URL when none exists."""
    try:
        return pathname2url(os.path.relpath(os.path.abspath(target), os.path.abspath(folder)))
    except ValueError:  # another drive on Windows
        return Path(os.path.abspath(target)).as_uri()


def _escape_data(value: object) -> object:
    """Jinja's finalize: every value from the data is shown through ``html_text``."""
    if value is None:
        return ""
    return value if isinstance(value, Markup) else Markup(html_text(value))


@lru_cache(maxsize=1)
def _template():
    env = Environment(autoescape=True, finalize=_escape_data, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.from_string(resources.files("warehouse").joinpath("call_page.html").read_text(encoding="utf-8"))
