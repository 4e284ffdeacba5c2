"""Archive discovery: recursive walk, manifest join, bad rows reported rather than fatal,
call ids unique, symlinks kept inside the archive, hashes of the bytes actually read."""
from __future__ import annotations

import os
from datetime import datetime

import pytest

from flows.archive import ArchiveError, discover_calls, fetch_recording, fingerprint


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
        "path,call_id,recorded_at,seller_id,outcome,seller_channel,num_speakers,team\n"
        "./calls/a.flac,C-1,2026-11-02T10:30:00,dana,won,right,2, Enterprise East \n"
    )
    [call] = discover_calls(tmp_path).calls
    assert call.call_id == "C-1"
    assert call.recorded_at == datetime(2026, 11, 2, 10, 30)
    assert (call.seller_id, call.outcome, call.seller_channel, call.num_speakers, call.team) == (
        "dana", "won", 1, 2, "Enterprise East")


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
    touch(tmp_path / "a.wav", b"one")
    [call] = discover_calls(tmp_path).calls
    before = fingerprint(call)
    (tmp_path / "a.wav").write_bytes(b"two")
    assert fingerprint(call) != before
    assert len(before) == 64


def test_a_path_that_is_another_files_call_id_never_shares_it(tmp_path):
    touch(tmp_path / "l.wav")
    touch(tmp_path / "m.wav")
    (tmp_path / "manifest.csv").write_text("path,call_id\nl.wav,m.wav\n")
    found = discover_calls(tmp_path)
    ids = {c.relative_path: c.call_id for c in found.calls}
    assert ids["l.wav"] == "m.wav"
    assert ids["m.wav"].startswith("m.wav#") and len(set(ids.values())) == 2
    assert any("m.wav: its path is the call_id of l.wav" in p for p in found.problems)
    # the same archive gives the same ids every time, whatever else is added
    touch(tmp_path / "a.wav")
    again = {c.relative_path: c.call_id for c in discover_calls(tmp_path).calls}
    assert again["m.wav"] == ids["m.wav"]


def test_repeated_and_path_like_call_ids_are_all_unique(tmp_path):
    for name in ("a.wav", "b.wav", "c.wav", "x/d.wav"):
        touch(tmp_path / name)
    (tmp_path / "manifest.csv").write_text(
        "path,call_id\nb.wav,a.wav\nc.wav,a.wav\nx/d.wav,c.wav\n")
    calls = discover_calls(tmp_path).calls
    assert len({c.call_id for c in calls}) == len(calls) == 4


def test_symlinks_leaving_the_archive_are_refused(tmp_path):
    outside = touch(tmp_path / "secret" / "other.wav", b"not yours")
    touch(tmp_path / "secret" / "more" / "x.wav")
    archive = tmp_path / "archive"
    touch(archive / "real.wav")
    os.symlink(outside, archive / "leak.wav")
    os.symlink(tmp_path / "secret" / "more", archive / "linked-folder")
    os.symlink(archive / "real.wav", archive / "alias.wav")
    found = discover_calls(archive)
    assert sorted(c.relative_path for c in found.calls) == ["alias.wav", "real.wav"]
    text = "\n".join(found.problems)
    assert "leak.wav: symlink to" in text and "linked-folder: symlink to" in text
    assert "leaves the archive, refused" in text


def test_a_file_swapped_for_an_outside_link_after_discovery_is_not_read(tmp_path):
    outside = touch(tmp_path / "secret.wav", b"not yours")
    archive = tmp_path / "archive"
    touch(archive / "a.wav")
    [call] = discover_calls(archive).calls
    (archive / "a.wav").unlink()
    os.symlink(outside, archive / "a.wav")
    with pytest.raises(PermissionError, match="outside the archive"):
        fingerprint(call)


def test_the_recording_hash_is_of_the_bytes_read_and_a_replaced_file_is_noticed(tmp_path):
    path = touch(tmp_path / "a.wav", b"first")
    [call] = discover_calls(tmp_path).calls
    with fetch_recording(call) as recording:
        assert recording.path.read_bytes() == b"first" and recording.unchanged()
        assert recording.sha256 == fingerprint(call)
        replacement = touch(tmp_path / "new.tmp", b"second")
        os.replace(replacement, path)
        assert not recording.unchanged()
