"""Scanned material files: only images and PDF (judged by content, not by the file name), stored once
under the data directory by their sha256, and checked against that checksum whenever they are viewed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from desktop.services.intake_errors import MaterialFileError

MAX_FILE_BYTES = 20 * 1024 * 1024
_CHUNK = 1024 * 1024
#: leading bytes -> (mime, extension)
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
    (b"BM", "image/bmp", ".bmp"),
)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime: str
    path: Path


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, mime, ext in _SIGNATURES:
        if head.startswith(magic):
            return mime, ext
    return None


def store_file(source: Path, root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> StoredFile:
    """Copy ``source`` into ``root/<sha[:2]>/<sha><ext>`` (once per content). Raises MaterialFileError."""
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise MaterialFileError(f"{source.name}: {size} bytes exceeds {max_bytes}",
                                    f"文件过大（{size / 1048576:.1f} MB），单个文件不能超过 {max_bytes // 1048576} MB")
        if size == 0:
            raise MaterialFileError(f"{source.name}: empty file", "文件是空的，请重新扫描")
        root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with source.open("rb") as src, tempfile.NamedTemporaryFile(dir=root, delete=False, suffix=".part") as tmp:
            head = src.read(16)
            kind = sniff(head)
            if kind is None:
                tmp.close()
                os.unlink(tmp.name)
                raise MaterialFileError(f"{source.name}: not an image or PDF by content",
                                        "只能附加图片（JPG/PNG/TIFF/BMP）或 PDF 文件")
            written = 0
            chunk = head
            while chunk:
                digest.update(chunk)
                tmp.write(chunk)
                written += len(chunk)
                if written > max_bytes:  # the file grew while we read it
                    tmp.close()
                    os.unlink(tmp.name)
                    raise MaterialFileError(f"{source.name}: grew beyond {max_bytes} bytes while reading",
                                            f"单个文件不能超过 {max_bytes // 1048576} MB")
                chunk = src.read(_CHUNK)
            tmp.flush()
            os.fsync(tmp.fileno())
    except OSError as exc:
        raise MaterialFileError(f"{source.name}: cannot read or store: {exc.__class__.__name__}",
                                "无法读取或保存该文件，请检查文件是否存在、磁盘空间是否充足") from None
    sha = digest.hexdigest()
    mime, ext = kind
    target = root / sha[:2] / f"{sha}{ext}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.unlink(tmp.name)
    else:
        os.replace(tmp.name, target)
    return StoredFile(sha, written, mime, target)


def verify_file(path: Path, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha256
