"""Evidence for the demo's review: photos with a place and a time, a management document, and a
reviewer's question answered with the file it asks for. Made here, in code, so the demo needs no
file from outside the repository; every item goes through the real upload service and pipeline.
"""

from __future__ import annotations

import datetime
import io
from fractions import Fraction
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageDraw

# Places for the demo's photos: one inside Grand Canyon National Park (by the South Rim village),
# one well outside it (Flagstaff), so the location check has something to say either way.
SOUTH_RIM = (36.0544, -112.1401)
FLAGSTAFF = (35.1983, -111.6513)


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round(((value - degrees) * 60 - minutes) * 60, 2)).limit_denominator(100)
    return Fraction(degrees), Fraction(minutes), seconds


def demo_photo(name: str, *, place: tuple[float, float], taken: datetime.datetime, caption: str) -> SimpleUploadedFile:
    """A JPEG of a canyon-coloured scene with GPS and capture time in its EXIF, as a camera writes them."""
    width, height = 960, 640
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height // 3):  # sky
        shade = 150 + y * 80 // (height // 3)
        draw.line([(0, y), (width, y)], fill=(110, 160, min(255, shade)))
    bands = [(176, 92, 52), (201, 124, 74), (152, 78, 45), (214, 160, 104), (128, 64, 40)]
    for i, colour in enumerate(bands):  # canyon layers
        top = height // 3 + i * (height * 2 // 3) // len(bands)
        draw.rectangle([0, top, width, height], fill=colour)
    draw.rectangle([0, height - 44, width, height], fill=(20, 20, 20))
    draw.text((16, height - 32), f"{caption}  {taken:%Y-%m-%d %H:%M}", fill=(255, 255, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Demo Trailcam"
    exif[ExifTags.Base.Model] = "DT-7"
    exif[ExifTags.Base.DateTime] = f"{taken:%Y:%m:%d %H:%M:%S}"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = f"{taken:%Y:%m:%d %H:%M:%S}"
    lat, lon = place
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
        ExifTags.GPS.GPSLatitude: _dms(lat),
        ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
        ExifTags.GPS.GPSLongitude: _dms(lon),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def demo_pdf(name: str, title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    """A short PDF document (WeasyPrint, as the platform's own PDFs)."""
    from django.utils.html import escape
    from weasyprint import HTML

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = f"<html><body style='font-family: sans-serif'><h1>{escape(title)}</h1>{body}</body></html>"
    return SimpleUploadedFile(name, HTML(string=html).write_pdf(), content_type="application/pdf")


def _answer_in(assessment: Any, criterion_prefix: str) -> Any:
    from assessments.models import Answer

    answers = Answer.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position")
    return next((a for a in answers if a.indicator.number.startswith(criterion_prefix)), answers.first())


def add_demo_evidence(assessment: Any, manager: Any) -> None:
    """Photos and a plan linked to the answers reviewers will open first (before submission)."""
    from evidence.services import evidence_upload

    outcomes = _answer_in(assessment, "4.1.")
    condition = _answer_in(assessment, "3.2.")
    planning = _answer_in(assessment, "3.1.")
    evidence_upload(
        assessment=assessment,
        user=manager,
        file=demo_photo(
            "rim-trail-cam-07.jpg",
            place=SOUTH_RIM,
            taken=datetime.datetime(2026, 5, 14, 6, 12, tzinfo=datetime.UTC),
            caption="South Rim camera 07: desert bighorn",
        ),
        title="Camera trap 07, South Rim: desert bighorn at dawn",
        indicators=[outcomes.indicator_id, condition.indicator_id],
        evidence_date=datetime.date(2026, 5, 14),
    )
    evidence_upload(
        assessment=assessment,
        user=manager,
        file=demo_photo(
            "vegetation-plot-12.jpg",
            place=SOUTH_RIM,
            taken=datetime.datetime(2026, 6, 2, 10, 40, tzinfo=datetime.UTC),
            caption="Vegetation plot 12: recovery after fire",
        ),
        title="Vegetation plot 12: recovery two years after the fire",
        indicators=[condition.indicator_id],
        evidence_date=datetime.date(2026, 6, 2),
    )
    evidence_upload(
        assessment=assessment,
        user=manager,
        file=demo_photo(
            "visitor-centre-display.jpg",
            place=FLAGSTAFF,
            taken=datetime.datetime(2026, 4, 20, 15, 5, tzinfo=datetime.UTC),
            caption="Outreach display, Flagstaff office",
        ),
        title="Outreach display at the Flagstaff office (taken outside the park)",
        indicators=[outcomes.indicator_id],
        evidence_date=datetime.date(2026, 4, 20),
    )
    evidence_upload(
        assessment=assessment,
        user=manager,
        file=demo_pdf(
            "management-plan-summary.pdf",
            "Grand Canyon National Park: management plan summary 2024-2034",
            [
                "Objectives: conserve the canyon's geological and ecological values, restore native vegetation "
                "after fire, and manage visitor use within the carrying capacity of the South Rim.",
                "Zoning: wilderness, river corridor, developed areas; activities allowed and forbidden in each.",
                "Monitoring: camera traps (desert bighorn, California condor), vegetation plots, water quality.",
            ],
        ),
        title="Management plan summary 2024-2034",
        indicators=[planning.indicator_id],
        evidence_date=datetime.date(2024, 3, 1),
    )


def ask_and_answer(assessment: Any, people: dict[str, Any]) -> None:
    """The expert asks for the advisory board's minutes; the site sends them as a file. A second
    question stays open, for the site manager's home page."""
    from reviews import services as review

    expert = people["expert@demo.greenlist.test"]
    manager = people["manager@demo.greenlist.test"]
    governance = _answer_in(assessment, "1.1.")
    asked = review.information_request_create(
        assessment=assessment,
        answer=governance,
        by=expert,
        question="Could you send the minutes of the last advisory board meeting, with the list of members present?",
    )
    review.information_reply_create(
        request=asked,
        by=manager,
        text="Attached: the minutes of the March 2026 meeting; the attendance list is on page 2.",
        file=demo_pdf(
            "advisory-board-minutes-2026-03.pdf",
            "Advisory board: minutes of 12 March 2026",
            [
                "Present: park superintendent, tribal liaison officers (3), county representatives (2), "
                "concessioner association, river outfitters, two scientific advisers.",
                "Items: visitor-use plan for the South Rim; condor release schedule; grievance register review.",
                "Decisions: the visitor-use plan goes to public comment for 60 days.",
            ],
        ),
        file_title="Advisory board minutes, March 2026",
    )
    review.information_request_create(
        assessment=assessment,
        answer=_answer_in(assessment, "2.1."),
        by=expert,
        question="Is the site's WDPA record current? Please share its WDPA id and the date it was last updated.",
    )
