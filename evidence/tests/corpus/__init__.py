"""The bad-input corpus, generated rather than committed (a zip bomb or a 30,000 × 30,000 PNG
does not belong in git). `python -m evidence.tests.corpus DIR` writes the files out.

Each entry: file name → (bytes, the error code the pipeline must give, words in the reason).
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib
from pathlib import Path

TESTDATA = Path(__file__).resolve().parents[4] / "shared" / "testdata"
if not TESTDATA.is_dir():  # pragma: no cover - the conftest reads GREENLIST_TESTDATA the same way
    import os

    TESTDATA = Path(os.environ.get("GREENLIST_TESTDATA", TESTDATA))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header claiming width × height pixels, with a tiny body: what a decompression
    bomb looks like before anyone decodes it."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb(megabytes: int = 64) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("zeros.csv", "w") as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return buf.getvalue()


def pe_executable() -> bytes:
    """The start of a Windows program: MZ header pointing at a PE signature."""
    header = bytearray(512)
    header[0:2] = b"MZ"
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    header[0x80:0x86] = b"PE\x00\x00\x4c\x01"
    return bytes(header)


def corpus() -> dict[str, tuple[bytes, str, str]]:
    from evidence import error_codes as ec
    from evidence.tests.test_pipeline import make_pdf

    photo = (TESTDATA / "img-exif-samples/gps/DSCN0010.jpg").read_bytes()
    shp = next((TESTDATA / "pad-uae").glob("*.shp"))
    return {
        "truncated.jpg": (photo[: len(photo) // 3], ec.IMAGE_CORRUPT, "truncated"),
        "corrupt.jpg": (photo[:2000] + bytes(range(256)) * 40, ec.IMAGE_CORRUPT, "damaged"),
        "encrypted.pdf": (make_pdf(["secret"], password="s3cret"), ec.PDF_ENCRYPTED, "password"),
        "malformed.pdf": (
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n%%EOF\n",
            ec.PDF_CORRUPT,
            "damaged",
        ),
        "bomb.zip": (zip_bomb(), ec.ARCHIVE_BOMB, "zip bomb"),
        "traversal.zip": (zip_of({"ok.txt": b"fine", "../x": b"escape"}), ec.ARCHIVE_UNSAFE_PATH, "../x"),
        "absolute.zip": (zip_of({"/etc/cron.d/x": b"* * * * * root true"}), ec.ARCHIVE_UNSAFE_PATH, "outside"),
        "huge.png": (huge_png(), ec.IMAGE_TOO_MANY_PIXELS, "30,000 × 30,000"),
        "not-json.geojson": (b'{"type": "FeatureCollection", "features": [', ec.GEODATA_NOT_JSON, "not valid JSON"),
        "no-shx.zip": (
            zip_of({"parks.shp": shp.read_bytes(), "parks.dbf": shp.with_suffix(".dbf").read_bytes()}),
            ec.SHAPEFILE_INCOMPLETE,
            ".shx",
        ),
        "elf.jpg": (Path("/bin/true").read_bytes(), ec.EXECUTABLE, "program"),
        "setup.exe.jpg": (pe_executable(), ec.EXECUTABLE, "program"),
        "page.html": (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", ec.HTML, "web page"),
        "map.svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            ec.SVG_SCRIPT,
            "scripts",
        ),
        "notes.txt": (b"#!/bin/sh\nrm -rf /\n", ec.SCRIPT, "script"),
        "photo.png": (photo, ec.TYPE_MISMATCH, "JPEG"),
        "report.pdf": (b"just some text pretending to be a PDF\n", ec.TYPE_MISMATCH, "plain text"),
    }


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, (data, code, _) in corpus().items():
        (out / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes → {code}")  # noqa: T201
