"""Concerns built through the real services."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from concerns import services
from core.models import OutgoingEmail
from stakeholders.tests.factories import old_stamp


def png(name="photo.png", size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 40)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="report.pdf", extra=b"") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + extra + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def raised(area, *, text="Illegal logging near the north gate.", email="rai@example.org", files=(), **kw):
    return services.concern_submit(area=area, text=text, email=email, files=files, stamp=old_stamp(), **kw)


def confirmed(area, **kw):
    concern = raised(area, **kw)
    return services.concern_confirm(concern=concern)


def link_path(email: OutgoingEmail) -> str:
    return re.search(r"https?://[^/\s]+(/concerns/track/\S+/)", email.body).group(1)
