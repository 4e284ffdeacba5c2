"""Archives in object storage: ``s3://`` (and any fsspec URL) against a local S3 server (moto),
reached through the standard AWS variables, ``AWS_ENDPOINT_URL`` included."""
from __future__ import annotations

import hashlib
import importlib.util
import os

import pytest

from flows.archive import ArchiveError, discover_calls, fetch_recording, fingerprint
from flows.storage import open_store
from processes import callytics, callytics_env, rows, tiny_calls

BUCKET = "call-archive"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    server.stop()


@pytest.fixture
def aws(s3_server, monkeypatch):
    for name, value in s3_server.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    open_store.cache_clear()
    return s3_server


@pytest.fixture(scope="module")
def bucket(s3_server, tmp_path_factory) -> dict[str, bytes]:
    """Two calls and a manifest under ``s3://call-archive/nightly/``; returns key -> bytes."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server["AWS_ENDPOINT_URL"],
                          aws_access_key_id="testing", aws_secret_access_key="testing",
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    calls = tiny_calls(tmp_path_factory.mktemp("s3-calls"), 2)
    objects = {
        "nightly/2026-11/a.wav": calls[0].read_bytes(),
        "nightly/b.wav": calls[1].read_bytes(),
        "nightly/notes.txt": b"not a call",
        "nightly/.partial/c.wav": b"upload in progress",
        "nightly/manifest.csv": b"path,call_id,seller_id\n2026-11/a.wav,S3-A,S01\n",
        "elsewhere/d.wav": b"outside the prefix",
    }
    for key, body in objects.items():
        client.put_object(Bucket=BUCKET, Key=key, Body=body)
    return objects


def test_discovery_lists_the_prefix_and_joins_the_manifest_in_the_bucket(aws, bucket):
    found = discover_calls(f"s3://{BUCKET}/nightly")
    assert [(c.call_id, c.relative_path, c.seller_id) for c in found.calls] == [
        ("S3-A", "2026-11/a.wav", "S01"), ("b.wav", "b.wav", None)]
    assert found.calls[0].location == f"s3://{BUCKET}/nightly/2026-11/a.wav"
    assert found.problems == ()


def test_hash_while_streaming_and_the_temporary_copy_is_removed(aws, bucket, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    [call, _] = discover_calls(f"s3://{BUCKET}/nightly/").calls
    expected = hashlib.sha256(bucket["nightly/2026-11/a.wav"]).hexdigest()
    assert fingerprint(call) == expected
    assert list(tmp_path.iterdir()) == []  # hashing copies nothing
    with fetch_recording(call) as recording:
        assert recording.sha256 == expected
        assert recording.path.read_bytes() == bucket["nightly/2026-11/a.wav"]
        assert recording.path.parent == tmp_path
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url,message", [
    (f"s3://{BUCKET}/no-such-prefix", "is not a folder"),
    ("s3://no-such-bucket/calls", "is not a folder"),
    ("bogus://somewhere/calls", "Protocol not known"),
])
def test_unusable_urls_are_one_clear_error(aws, bucket, url, message):
    with pytest.raises(ArchiveError, match=message):
        discover_calls(url)


def test_a_missing_filesystem_package_names_it():
    if importlib.util.find_spec("gcsfs") is not None:
        pytest.skip("gcsfs is installed")
    with pytest.raises(ArchiveError, match="gcsfs"):
        discover_calls("gs://bucket/calls")


@pytest.mark.slow
def test_callytics_run_on_an_s3_archive(s3_server, bucket, tmp_path):
    db = tmp_path / "calls.duckdb"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = callytics_env(**s3_server, TMPDIR=str(scratch))
    result = callytics("run", f"s3://{BUCKET}/nightly", "--db", str(db), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    stored = rows(db, "SELECT call_id, source_path, sha256, status FROM calls ORDER BY call_id")
    assert stored == [
        ("S3-A", "2026-11/a.wav", hashlib.sha256(bucket["nightly/2026-11/a.wav"]).hexdigest(), "ok"),
        ("b.wav", "b.wav", hashlib.sha256(bucket["nightly/b.wav"]).hexdigest(), "ok"),
    ]
    assert rows(db, "SELECT source_location FROM stg_calls ORDER BY call_id") == [
        (f"s3://{BUCKET}/nightly/2026-11/a.wav",), (f"s3://{BUCKET}/nightly/b.wav",)]
    assert [p.name for p in scratch.iterdir() if p.name.startswith("callytics-")] == []
    again = callytics("run", f"s3://{BUCKET}/nightly", "--db", str(db), cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT processed, skipped FROM runs ORDER BY started_at DESC LIMIT 1") == [(0, 2)]
    wrong_key = callytics("run", f"s3://{BUCKET}/nightly", "--db", str(db), cwd=tmp_path,
                          env=dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:9"), timeout=300)
    assert wrong_key.returncode == 1
    lines = wrong_key.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"callytics: error: cannot open archive s3://{BUCKET}/nightly")
    assert os.path.exists(db)
