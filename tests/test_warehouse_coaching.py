"""Coaching pages: one HTML page per call beside the dashboard, checked as text and in Chromium."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import wave
from dataclasses import replace
from datetime import datetime
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest

import warehouse_rows as rows
from analysis.metrics import compute_metrics
from analysis.types import CallAnalysis, LabelledUtterance, PriceMention, RoleAssignment
from flows.cli import main
from test_warehouse_dashboard import chromium, console_messages, needs_chromium
from warehouse import Warehouse, dashboard
from warehouse.coaching import amount_text, clock, highlight
from warehouse.links import call_page_path

HOSTILE_ID = "team a/call 7"
HOSTILE_TEXT = "Our <script>alert(1)</script> suite \u202eexe.png ships SSO today."
# speaker, role, start, end, text, label, push kind, cues: a feature pitch at 0:15 before the
# first discovery question at 0:40, price raised by the seller at 0:23, a long pitch from 1:00.
LINES = (
    ("spk_a", "seller", 0.0, 6.0, "Hi, thanks for joining.", "other", None, ()),
    ("spk_b", "buyer", 7.0, 14.0, "Sure, go ahead.", None, None, ()),
    ("spk_a", "seller", 15.0, 22.0, HOSTILE_TEXT, "product_push", "feature", ("our", "sso")),
    ("spk_a", "seller", 23.0, 30.0, "It’s forty dollars a seat per month.", "product_push", "feature",
     ("it's",)),
    ("spk_b", "buyer", 31.0, 39.0, "Hmm, that seems like a lot.", None, None, ()),
    ("spk_a", "seller", 40.0, 48.0, "Walk me, through how your team plans today?", "discovery", None,
     ("walk me through",)),
    ("spk_b", "buyer", 49.0, 59.0, "Mostly by hand in spreadsheets.", None, None, ()),
    ("spk_a", "seller", 60.0, 90.0, "So on Monday your planners would just approve the flagged orders.",
     "product_push", "usage", ("your planners would",)),
    ("spk_a", "seller", 90.5, 162.0, "And then the exceptions land in one queue for them.", "product_push", "usage",
     ()),
    ("spk_b", "buyer", 163.0, 170.0, "Okay.", None, None, ()),
)


def coached_call() -> CallAnalysis:
    utterances = tuple(
        LabelledUtterance(idx=i, speaker=speaker, role=role, start=start, end=end, text=text, label=label,
                          label_confidence=None if label is None else 0.9, cues=cues, is_question=text.endswith("?"),
                          price_mention=i == 3, push_kind=push_kind)
        for i, (speaker, role, start, end, text, label, push_kind, cues) in enumerate(LINES))
    price = PriceMention(utterance_idx=3, start=23.0, speaker="spk_a", role="seller", text=LINES[3][4],
                         cue="forty dollars", kind="quote", amount=40.0, currency="USD", period="month", unit="seat")
    metrics = compute_metrics(utterances, [price], duration_s=180.0)
    return CallAnalysis(utterances, RoleAssignment({"spk_a": "seller", "spk_b": "buyer"}, "transcript", 0.9),
                        (price,), metrics)


def write_wav(path: Path, seconds: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * seconds)
    return path


def coaching_warehouse(folder: Path, archive: str | Path) -> Warehouse:
    """The sample warehouse plus the coached call (hostile id and text) and an uncertain-roles call."""
    wh = rows.sample_warehouse(folder / "calls.duckdb")
    call = coached_call()
    wh.write_call(rows.record(HOSTILE_ID, account="<b>Evil</b> \u202eCorp", source_path="2026/03/team a call 7.wav",
                              duration_s=180.0,
                              outcome="lost"), call, rows.words_of(call))
    unsure = rows.analysis(6, first_discovery_s=20.0, first_product_push_s=40.0, first_price_s=50.0)
    wh.write_call(rows.record("unsure", roles_uncertain=True, role_confidence=0.55), unsure, rows.words_of(unsure))
    wh.start_run("run-1", datetime(2026, 3, 12, 2), str(archive))
    return wh


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """An archive with one real recording, and a dashboard written one folder away from it."""
    folder = tmp_path_factory.mktemp("coaching")
    write_wav(folder / "archive dir" / "2026" / "03" / "team a call 7.wav")
    wh = coaching_warehouse(folder, folder / "archive dir")
    (folder / "site").mkdir()
    return dashboard(wh.path, folder / "site" / "report.html")


def page_of(report: Path, call_id: str) -> str:
    return (report.parent / call_page_path(call_id)).read_text(encoding="utf-8")


def notes_of(page: str) -> list[str]:
    notes = re.search(r'<ol class="notes">(.*?)</ol>', page, re.S).group(1)
    return [unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", notes, re.S)]


def test_every_call_gets_a_page_named_by_its_encoded_id(site):
    pages = sorted(p.name for p in (site.parent / "calls").glob("*.html"))
    assert pages == sorted(Path(call_page_path(c)).name for c in ("a1", "a2", "a3", "b1", "b2", "z9", "unsure",
                                                                   HOSTILE_ID))
    assert (site.parent / "calls" / "team%20a%2Fcall%207.html").is_file()


def test_the_overview_links_each_call_id_to_its_page(site):
    overview = site.read_text()
    links = dict((unescape(text), href) for href, text in re.findall(r'<a href="([^"]+)">([^<]*)</a>', overview))
    assert links[HOSTILE_ID] == "calls/team%2520a%252Fcall%25207.html"
    assert all((site.parent / unquote(href)).is_file() for href in links.values())
    assert {"a2", "b1", HOSTILE_ID} <= set(links)


def test_notes_carry_the_times_of_the_moments_they_describe(site):
    call = coached_call()
    first_feature = min(u.start for u in call.utterances if u.push_kind == "feature")
    notes = notes_of(page_of(site, HOSTILE_ID))
    assert 3 <= len(notes) <= 5
    assert notes[0] == f"{clock(first_feature)} First feature pitch at {clock(first_feature)}, before any discovery question."
    assert notes[0].startswith("0:15 ")
    assert notes[1] == "0:23 Price first raised by the seller at 0:23 (a quote), before any discovery question."
    monologue = call.metrics.longest_seller_monologue_s
    assert monologue == 102.0
    assert notes[2] == "1:00 Longest seller monologue 1:42 at 1:00."
    assert "The seller talked" in notes[3] and "2 of 4 pitches were about the buyer's use (usage share 50%)" in notes[4]


def test_a_note_link_jumps_to_the_line_and_the_time(site):
    page = page_of(site, HOSTILE_ID)
    assert '<a href="#u2" data-t="15.0">0:15</a> First feature pitch' in page
    assert '<div class="line" id="u2" data-start="15.0"' in page


def test_notes_follow_the_metrics_of_a_call_that_asks_first(site):
    notes = notes_of(page_of(site, "a3"))
    assert notes[0] == "0:05 First discovery question at 0:05, before any pitch."
    assert "Price never came up." in notes


def test_cue_phrases_are_highlighted_in_the_text(site):
    page = page_of(site, HOSTILE_ID)
    assert '<mark class="cue">Walk me, through</mark> how your team plans today?' in page
    assert '<mark class="cue">It’s</mark> <mark class="price">forty dollars</mark> a seat' in page
    assert '<mark class="cue">your planners would</mark>' in page


def test_highlight_marks_whole_words_only_and_escapes_around_them():
    marked = highlight("Sourcing <our> plan & our SSO", ("our",))
    assert str(marked) == 'Sourcing &lt;<mark class="cue">our</mark>&gt; plan &amp; our SSO'


def test_hostile_text_is_escaped_and_bidi_controls_shown(site):
    page = page_of(site, HOSTILE_ID)
    assert "<script>alert" not in page and "<b>Evil" not in page
    assert "\u202e" not in page and "&lt;U+202E&gt;" in page
    assert ('<mark class="cue">Our</mark> &lt;script&gt;alert(1)&lt;/script&gt; suite &lt;U+202E&gt;exe.png ships '
            '<mark class="cue">SSO</mark> today.') in page
    assert "<title>callytics: call team a/call 7</title>" in page
    assert page.count("<script>") == 1


def test_price_mentions_list_amount_kind_and_time(site):
    page = page_of(site, HOSTILE_ID)
    assert ('<tr><td><a href="#u3" data-t="23.0">0:23</a></td><td>seller</td><td>quote</td>'
            '<td>USD 40 per seat per month</td>') in page


def test_the_timeline_has_a_lane_per_speaker_and_per_moment_with_a_legend(site):
    page = page_of(site, HOSTILE_ID)
    timeline = page.split('<section id="timeline">')[1].split("</section>")[0]
    assert "spk_a (seller)" in timeline and "spk_b (buyer)" in timeline
    for name, count in (("discovery questions", 1), ("usage pitches", 2), ("feature pitches", 2),
                        ("price mentions", 1)):
        assert f"{name} ({count})" in timeline
    # The feature pitch at 0:15 of a 3:00 call sits at 15/180 of the strip.
    assert '<line x1="83.33" x2="83.33"' in timeline
    colours = re.findall(r'stroke="(#[0-9A-F]{6})"', timeline)
    assert len(set(colours)) == 4
    assert timeline.count('class="swatch"') == 6 + 7  # lane names + legend


def test_the_recording_link_is_relative_and_reaches_the_file(site):
    page = page_of(site, HOSTILE_ID)
    src = unescape(re.search(r'<audio id="recording" controls preload="metadata" src="([^"]+)"', page).group(1))
    assert not src.startswith(("/", "file:")) and "%20" in src
    target = (site.parent / "calls" / unquote(src)).resolve()
    assert target == (site.parent.parent / "archive dir" / "2026" / "03" / "team a call 7.wav").resolve()
    assert "media-src 'self' file:" in unescape(page)


def test_a_missing_recording_gets_no_player_and_says_so(site):
    page = page_of(site, "a1")
    assert "<audio" not in page and "media-src" not in page
    assert "The recording is not at" in page


def test_the_csp_admits_exactly_the_page_script(site):
    page = page_of(site, HOSTILE_ID)
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert not re.search(r"https?://", page)


def test_uncertain_roles_carry_a_warning(site):
    page = page_of(site, "unsure")
    assert "Seller and buyer may be swapped." in page and "low confidence (55%);" in page
    assert "may be swapped" not in page_of(site, HOSTILE_ID)


def test_a_failed_call_page_says_why(site):
    page = page_of(site, "z9")
    assert "This call failed to process" in page and "cannot decode audio" in page
    assert 'id="transcript"' not in page and "<audio" not in page


def test_object_storage_recordings_get_no_player(tmp_path):
    wh = coaching_warehouse(tmp_path, "s3://bucket/calls")
    report = dashboard(wh.path, tmp_path / "report.html")
    page = page_of(report, HOSTILE_ID)
    assert "<audio" not in page
    assert "The recording is in object storage (s3://bucket/calls/2026/03/team a call 7.wav)" in page


def test_cli_no_audio_leaves_the_player_out(site, tmp_path, capsys):
    out = tmp_path / "report.html"
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(site.parent.parent / "calls.duckdb"), "--out", str(out), "--no-audio"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"wrote {out}"
    page = page_of(out, HOSTILE_ID)
    assert "<audio" not in page and "Audio left out of this dashboard (--no-audio)." in page
    assert notes_of(page) == notes_of(page_of(site, HOSTILE_ID))



def test_amounts_read_with_range_currency_unit_and_period():
    base = PriceMention(utterance_idx=0, start=0.0, speaker="s", role="seller", text="", cue=None, kind="quote")
    assert amount_text(replace(base, amount=40000.0, amount_high=60000.0, currency="USD", unit="seat",
                               period="year")) == "USD 40,000-60,000 per seat per year"
    assert amount_text(replace(base, amount=12.5, period="one_time")) == "12.50 one-time"
    assert amount_text(base) == ""


def test_cli_unwritable_pages_folder_is_one_line_and_exit_1(site, tmp_path, capsys):
    folder = rows.unwritable_folder(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--db", str(site.parent.parent / "calls.duckdb"), "--out", str(folder / "report.html")])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and len(err.splitlines()) == 1 and "cannot write" in err, err
    assert not (folder / "report.html").exists()

def test_the_page_links_back_to_the_overview(site):
    assert '<a href="../report.html">&larr; all calls</a>' in page_of(site, HOSTILE_ID)


def page_requests(net_log: Path) -> set[str]:
    """URLs the page asked the network stack for (the browser's own update checks left out)."""
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    starts = [e.get("params", {}) for e in log["events"] if e["type"] == start_job]
    return {p["url"] for p in starts if "url" in p and p.get("initiator") != "not an origin"}


def load(page: Path, tmp_path: Path) -> tuple[str, list[str], set[str]]:
    net_log = tmp_path / f"{page.stem}.netlog.json"
    loaded = chromium(page, tmp_path, "--virtual-time-budget=3000", f"--log-net-log={net_log}", "--dump-dom")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    return loaded.stdout, console_messages(loaded.stderr), page_requests(net_log)


@pytest.mark.slow
@needs_chromium
def test_the_network_check_catches_a_page_that_fetches(tmp_path):
    fetching = tmp_path / "fetching.html"
    fetching.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>')
    assert "http://127.0.0.1:9/pixel.png" in load(fetching, tmp_path)[2]


@pytest.mark.slow
@needs_chromium
def test_chromium_loads_overview_and_call_page_without_errors_or_network(site, tmp_path):
    for page in (site, site.parent / call_page_path(HOSTILE_ID)):
        dom, console, requests = load(page, tmp_path)
        assert console == [] and requests == set(), (page, console, requests)
    assert 'data-page-ready="1"' in dom  # the call page's hashed script ran under its CSP
    assert '<audio id="recording"' in dom
