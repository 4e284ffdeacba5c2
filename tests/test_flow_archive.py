"""Archive discovery: recursive walk, manifest join, bad rows reported rather than fatal."""
from __future__ import annotations

from datetime import datetime

import pytest

from flows.archive import ArchiveError, discover_calls, file_sha256


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_walks_recursively_and_derives_stable_ids(tmp_path):
    touch(tmp_path / "2026" / "nov" / "acme.MP3")
    touch(tmp_path / "b.wav")
    touch(tmp_path / "notes.txt")
    touch(tmp_path / ".trash" / "old.wav")
    found = discover_calls(tmp_path)
    assert [c.call_id for c in found.calls] == ["2026/nov/acme.MP3", "b.wav"]
    assert found.problems == ()


def test_manifest_fields_are_joined_and_parsed(tmp_path):
    touch(tmp_path / "calls" / "a.flac")
    (tmp_path / "manifest.csv").write_text(
        "path,call_id,recorded_at,seller_id,outcome,seller_channel,num_speakers\n"
        "./calls/a.flac,C-1,2026-11-02T10:30:00,dana,won,right,2\n"
    )
    [call] = discover_calls(tmp_path).calls
    assert call.call_id == "C-1"
    assert call.recorded_at == datetime(2026, 11, 2, 10, 30)
    assert (call.seller_id, call.outcome, call.seller_channel, call.num_speakers) == (
        "dana", "won", 1, 2)


def test_bad_rows_and_missing_files_are_reported_not_fatal(tmp_path):
    touch(tmp_path / "a.wav")
    touch(tmp_path / "b.wav")
    (tmp_path / "manifest.csv").write_text(
        "path,call_id,recorded_at,seller_channel,num_speakers\n"
        "a.wav,X,yesterday,middle,nine\n"
        "b.wav,X,,,\n"
        "gone.wav,G,,,\n"
        ",,,,\n"
    )
    found = discover_calls(tmp_path)
    assert [c.call_id for c in found.calls] == ["X", "b.wav"]
    a = found.calls[0]
    assert a.recorded_at is None and a.seller_channel is None and a.num_speakers is None
    text = "\n".join(found.problems)
    for expected in ("not a date", "seller_channel", "num_speakers", "already used",
                     "gone.wav: file not found", "empty path"):
        assert expected in text


def test_manifest_without_path_column_is_one_clear_error(tmp_path):
    (tmp_path / "manifest.csv").write_text("file,seller\nx.wav,dana\n")
    with pytest.raises(ArchiveError, match="no 'path' column"):
        discover_calls(tmp_path)


def test_missing_archive(tmp_path):
    with pytest.raises(ArchiveError, match="not a folder"):
        discover_calls(tmp_path / "nope")


def test_sha256_changes_with_content(tmp_path):
    a = touch(tmp_path / "a.wav", b"one")
    before = file_sha256(a)
    a.write_bytes(b"two")
    assert file_sha256(a) != before
    assert len(before) == 64
