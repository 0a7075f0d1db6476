"""Evidence files on disk: the accepted types, how a content is recognised, and the store.

A type is declared by the file name's extension and must be confirmed by the content's first
bytes (its *magic*): a web page or an SVG image renamed ``.pdf`` is refused, so a stored file
is always one of the documents listed in ``EVIDENCE_TYPES``. Nothing here is ever served
inline or executed (see ``surveyapp/unit/evidence.py``).

The store keeps each content once, under its SHA-256 in a folder named by the hash's first
two hex digits (``ab/abcdef…``). An upload is received into ``incoming/`` (hashed while it is
written, then flushed to disk), and placed by an atomic rename followed by an fsync of the
folder: a stored file is complete or absent, never half-written. Placing a content and
removing an unreferenced one are serialised by an exclusive lock on ``.lock`` in the store,
shared by every worker on the host.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

INCOMING = "incoming"
INCOMING_KEEP_SECONDS = 3600
LOCK_FILE = ".lock"
CHUNK = 1024 * 1024
MAX_NAME_LENGTH = 200
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w .()+,-]")

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# Compound File Binary (OLE2): Word 97–2003 and Excel 97–2003 documents.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class EvidenceType:
    """An accepted kind of document: its extension, the type it is downloaded as, and the check
    its content must pass (given the file's path)."""

    extension: str
    mimetype: str
    matches: Callable[[Path], bool]


def _starts_with(magic: bytes) -> Callable[[Path], bool]:
    def check(path: Path) -> bool:
        with path.open("rb") as file:
            return file.read(len(magic)) == magic

    return check


def _office_open_xml(folder: str) -> Callable[[Path], bool]:
    """A DOCX, XLSX or PPTX: a ZIP archive with ``[Content_Types].xml`` and its main folder."""

    def check(path: Path) -> bool:
        names = _zip_names(path)
        return "[Content_Types].xml" in names and any(name.startswith(f"{folder}/") for name in names)

    return check


def _open_document(mimetype: str) -> Callable[[Path], bool]:
    """An ODT or ODS: a ZIP archive whose ``mimetype`` entry names the document's type."""

    def check(path: Path) -> bool:
        if "mimetype" not in _zip_names(path):
            return False
        with zipfile.ZipFile(path) as archive, archive.open("mimetype") as entry:
            return entry.read(len(mimetype) + 1) == mimetype.encode("ascii")

    return check


def _zip_names(path: Path) -> set[str]:
    """The entries of a ZIP archive (its directory only: nothing is extracted), none if it is not one."""
    if not _starts_with(ZIP_MAGIC)(path):
        return set()
    try:
        with zipfile.ZipFile(path) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


_OPEN_TEXT = "application/vnd.oasis.opendocument.text"
_OPEN_SPREADSHEET = "application/vnd.oasis.opendocument.spreadsheet"
_OOXML = "application/vnd.openxmlformats-officedocument"
EVIDENCE_TYPES: dict[str, EvidenceType] = {
    kind.extension: kind
    for kind in (
        EvidenceType("pdf", "application/pdf", _starts_with(PDF_MAGIC)),
        EvidenceType("png", "image/png", _starts_with(PNG_MAGIC)),
        EvidenceType("jpg", "image/jpeg", _starts_with(JPEG_MAGIC)),
        EvidenceType("jpeg", "image/jpeg", _starts_with(JPEG_MAGIC)),
        EvidenceType("docx", f"{_OOXML}.wordprocessingml.document", _office_open_xml("word")),
        EvidenceType("xlsx", f"{_OOXML}.spreadsheetml.sheet", _office_open_xml("xl")),
        EvidenceType("pptx", f"{_OOXML}.presentationml.presentation", _office_open_xml("ppt")),
        EvidenceType("odt", _OPEN_TEXT, _open_document(_OPEN_TEXT)),
        EvidenceType("ods", _OPEN_SPREADSHEET, _open_document(_OPEN_SPREADSHEET)),
        # The OLE container does not say cheaply whether it holds Word or Excel: both pass.
        EvidenceType("doc", "application/msword", _starts_with(OLE_MAGIC)),
        EvidenceType("xls", "application/vnd.ms-excel", _starts_with(OLE_MAGIC)),
    )
}


def safe_file_name(name: str) -> str:
    """``name`` as it may be kept and offered for download: the last part of any path (``/``
    or ``\\``), Unicode letters (Vietnamese included), digits, spaces and ``.()+,-_`` kept,
    anything else replaced by ``_``, no leading dots or spaces, at most 200 characters with
    the extension kept. Empty when nothing is left (``..``, a name of dots)."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARACTERS.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension if dot else name[:MAX_NAME_LENGTH]
    return name


def extension_of(file_name: str) -> str:
    """The lower-cased extension of ``file_name`` (``""`` when it has none)."""
    stem, dot, extension = file_name.rpartition(".")
    return extension.lower() if dot and stem else ""


class TooLarge(Exception):
    """The content is longer than the limit it was received with."""


@dataclass(frozen=True)
class Received:
    """An upload written to the store's ``incoming/`` folder, not yet placed."""

    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        """Remove the incoming file (an upload refused, or a transaction rolled back)."""
        self.path.unlink(missing_ok=True)


def receive(stream: BinaryIO, store: Path, max_bytes: int) -> Received:
    """Write ``stream`` into ``store/incoming/``, hashing it, and flush it to disk.

    Raises ``TooLarge`` (having removed what was written) as soon as it exceeds ``max_bytes``.
    """
    incoming = store / INCOMING
    incoming.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(incoming)
    path = incoming / secrets.token_hex(16)
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("xb") as file:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge
                digest.update(chunk)
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path, digest.hexdigest(), size)


def content_hash(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in lower-case hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_hashes(store: Path) -> set[str]:
    """The hashes of every content in ``store`` (what ``blob_path`` names), incoming files aside."""
    return {
        path.name for path in store.glob("??/*") if _SHA256.fullmatch(path.name) and path.parent.name == path.name[:2]
    }


def _sweep(incoming: Path) -> None:
    """Remove what a worker killed during an upload left in ``incoming/``: a file lives there
    only from its receipt to its commit (the request body was already read), seconds at most."""
    oldest = time.time() - INCOMING_KEEP_SECONDS
    for path in incoming.iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:  # placed, discarded or swept by another worker meanwhile
            pass


def blob_path(store: Path, sha256: str) -> Path:
    """Where the content of hash ``sha256`` is kept in ``store``."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"sha256: not a SHA-256 in lower-case hex: {sha256!r}")
    return store / sha256[:2] / sha256


@contextmanager
def locked(store: Path) -> Iterator[None]:
    """Hold the store's exclusive lock (every process on the host waits for it)."""
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (store / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def place(received: Received, store: Path) -> Path:
    """Move a received content to its place (replacing the same content if it is there); its path."""
    target = blob_path(store, received.sha256)
    with locked(store):
        target.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(received.path, target)
        _fsync_folder(target.parent)
    return target


def remove_unless(store: Path, sha256: str, is_referenced: Callable[[], bool]) -> bool:
    """Remove the content of ``sha256`` unless ``is_referenced()`` says a record still names
    it, asked while the lock is held; whether it was removed."""
    path = blob_path(store, sha256)
    with locked(store):
        if is_referenced() or not path.exists():
            return False
        path.unlink()
        _fsync_folder(path.parent)
    return True


def _fsync_folder(folder: Path) -> None:
    """Make a rename or removal in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
