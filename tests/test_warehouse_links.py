"""Call page links: one safe file name per call id, whatever characters the id holds."""
from urllib.parse import unquote

from warehouse.links import call_page_href, call_page_path


def test_plain_ids_keep_their_name():
    assert call_page_href("2026-11-16_brightlane.wav") == "calls/2026-11-16_brightlane.wav.html"


def test_ids_that_are_not_file_names_are_encoded():
    hrefs = [call_page_href(i) for i in ("a/b.wav", "../x", "m3\u202egnp.exe", "ünï code", "a b")]
    assert all(h.count("/") == 1 and h.startswith("calls/") and " " not in h for h in hrefs)
    assert "\u202e" not in "".join(hrefs)
    assert len(set(hrefs)) == len(hrefs)


def test_the_link_reaches_the_file_its_name_spells():
    for call_id in ("a/b.wav", "50% off", "ünï code", "plain-id"):
        assert unquote(call_page_href(call_id)) == call_page_path(call_id)
        assert "/" not in call_page_path(call_id).removeprefix("calls/")
