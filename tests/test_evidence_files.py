"""Evidence files on disk: safe names, type checks and the content-addressed store, without the app."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from surveyapp import evidence_files
from surveyapp.evidence_files import EVIDENCE_TYPES, TooLarge, extension_of, safe_file_name


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("ke-hoach.pdf", "ke-hoach.pdf"),
        ("Kế hoạch số 12.pdf", "Kế hoạch số 12.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\ke-hoach.pdf", "ke-hoach.pdf"),
        ("C:\\Users\\Cán bộ\\bao-cao.docx", "bao-cao.docx"),
        ("...ẩn.pdf", "ẩn.pdf"),
        ("a\x00b\x1fc.pdf", "a_b_c.pdf"),
        ('"<script>".pdf', "__script__.pdf"),
        ("Ke\u0302\u0301 hoa\u0323ch.pdf", "Kế hoạch.pdf"),  # decomposed (macOS) becomes composed
        ("..", ""),
        ("../", ""),
        ("   ", ""),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_a_file_name_keeps_its_last_part_and_safe_characters_only(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


@pytest.mark.parametrize(
    ("name", "extension"), [("a.PDF", "pdf"), ("a.tar.gz", "gz"), ("pdf", ""), (".pdf", ""), ("a.", "")]
)
def test_the_declared_type_is_the_last_extension(name: str, extension: str) -> None:
    assert extension_of(name) == extension


def test_a_content_is_stored_once_under_its_hash_and_removed_only_when_unreferenced(tmp_path: Path) -> None:
    data = b"%PDF-1.4 evidence"
    digest = hashlib.sha256(data).hexdigest()
    first = evidence_files.receive(io.BytesIO(data), tmp_path, 100)
    second = evidence_files.receive(io.BytesIO(data), tmp_path, 100)
    assert (first.sha256, first.size) == (digest, len(data))
    assert EVIDENCE_TYPES["pdf"].matches(first.path)
    target = evidence_files.place(first, tmp_path)
    assert evidence_files.place(second, tmp_path) == target == tmp_path / digest[:2] / digest
    assert target.read_bytes() == data and list((tmp_path / "incoming").iterdir()) == []
    assert not evidence_files.remove_unless(tmp_path, digest, lambda: True)
    assert target.exists()
    assert evidence_files.remove_unless(tmp_path, digest, lambda: False)
    assert not target.exists()


def test_a_content_over_the_limit_is_not_kept(tmp_path: Path) -> None:
    with pytest.raises(TooLarge):
        evidence_files.receive(io.BytesIO(b"x" * 101), tmp_path, 100)
    assert list((tmp_path / "incoming").iterdir()) == []


def test_a_hash_that_is_not_one_never_names_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        evidence_files.blob_path(tmp_path, "../" + "a" * 61)


def test_what_a_killed_upload_left_in_incoming_is_swept_after_an_hour(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    stale, recent = incoming / "stale", incoming / "recent"
    stale.write_bytes(b"half an upload")
    recent.write_bytes(b"an upload being committed")
    hour_ago = time.time() - evidence_files.INCOMING_KEEP_SECONDS - 1
    os.utime(stale, (hour_ago, hour_ago))
    received = evidence_files.receive(io.BytesIO(b"%PDF-"), tmp_path, 100)
    assert sorted(incoming.iterdir()) == sorted([recent, received.path])
