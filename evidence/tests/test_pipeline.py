"""The pipeline on real files, run in-process (the worker tests run the same through Celery)."""

import datetime
import io
import zipfile

import pytest
from django.contrib.gis.geos import Point
from PIL import Image

from evidence import error_codes
from evidence.choices import ProcessingStatus, Sensitivity
from evidence.location import location_check
from evidence.models import DuplicateLink, EvidenceFacts
from evidence.pipeline import assessment_period

pytestmark = pytest.mark.django_db


def test_gps_photo_inside_site(arezzo_assessment, arezzo_team, upload, processed, testdata):
    # given a Nikon photo with a full GPS block, taken inside the site
    item = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0010.jpg")
    assert item.processing_status == ProcessingStatus.PENDING
    # when
    item = processed(item)
    # then
    facts = item.facts
    assert item.processing_status == ProcessingStatus.READY, item.status_reason
    assert len(item.sha256) == 64
    assert facts.kind == "image" and facts.mime_type == "image/jpeg"
    assert facts.camera_make == "NIKON" and facts.camera_model == "COOLPIX P6000"
    assert facts.captured_at == datetime.datetime(2008, 10, 22, 16, 28, 39, tzinfo=datetime.UTC)
    # EXIF: 43° 28' 2.814" N, 11° 53' 6.456" E
    assert facts.latitude == pytest.approx(43 + 28 / 60 + 2.814 / 3600, abs=1e-6)
    assert facts.longitude == pytest.approx(11 + 53 / 60 + 6.456 / 3600, abs=1e-6)
    assert facts.location_check == "inside" and facts.distance_km == 0
    assert facts.in_period is True  # 2008 lies in 2005–2010 for a 2010 assessment
    with facts.thumbnail.open("rb") as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
    assert max(thumb.size) <= 320 and not thumb.getexif()
    # reviewers-only items get a display copy without any metadata (no GPS)
    with facts.display.open("rb") as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif().get_ifd(0x8825)


def test_gps_photo_outside_site_has_distance(make_assessment, area, site_manager, upload, processed, testdata):
    # given the site is in Viet Nam and the photo was taken in Italy
    assessment = make_assessment(area, site_manager)
    item = processed(upload(assessment, site_manager, testdata / "img-exif-samples/gps/DSCN0021.jpg"))
    assert item.facts.location_check == "outside"
    # Arezzo to central Viet Nam is roughly 9,000 km on the spheroid
    assert 8000 < item.facts.distance_km < 10000


def test_public_photo_has_no_display_copy(arezzo_assessment, arezzo_team, upload, processed, testdata):
    item = upload(
        arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0012.jpg", sensitivity=Sensitivity.PUBLIC
    )
    item = processed(item)
    assert item.facts.thumbnail and not item.facts.display


@pytest.mark.parametrize("name", ["StationA/IMG0001.JPG", "StationB/IMG0003.JPG"])
def test_trail_camera_date_without_gps(arezzo_assessment, arezzo_team, upload, processed, testdata, name):
    item = processed(upload(arezzo_assessment, arezzo_team, testdata / "img-camtrapR/raw_images" / name))
    assert item.processing_status == "ready"
    assert item.facts.camera_model == "CUDDEBACK"
    assert item.facts.captured_at.year == 2009
    assert item.facts.position is None and item.facts.location_check == "none"


def test_reconyx_maker_note_date(arezzo_assessment, arezzo_team, upload, processed, testdata):
    item = processed(upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/Reconyx_HC500_Hyperfire.jpg"))
    assert item.processing_status == "ready"
    assert item.facts.captured_at == datetime.datetime(2020, 3, 16, 10, 0, 0, tzinfo=datetime.UTC)
    assert item.facts.details["date_source"] == "maker note (Reconyx)"
    assert item.facts.in_period is False  # 2020 is after a 2010 assessment


def test_canon_empty_gps_block_is_no_location(arezzo_assessment, arezzo_team, upload, processed, testdata):
    item = processed(upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/Canon_40D.jpg"))
    assert item.processing_status == "ready"
    assert item.facts.position is None and item.facts.location_check == "none"


def test_duplicates_are_flagged_within_a_site_only(
    arezzo_assessment, arezzo_team, make_assessment, area, site_manager, upload, processed, testdata
):
    photo = testdata / "img-exif-samples/gps/DSCN0025.jpg"
    first = processed(upload(arezzo_assessment, arezzo_team, photo))
    again = processed(upload(arezzo_assessment, arezzo_team, photo, title="same again"))
    assert again.facts.duplicate == "same_site"
    assert EvidenceFacts.objects.get(pk=first.pk).duplicate == "same_site"
    # the same file on another site: no flag either way (the link is kept for staff)
    elsewhere = processed(upload(make_assessment(area, site_manager), site_manager, photo))
    assert elsewhere.facts.duplicate == ""
    assert EvidenceFacts.objects.get(pk=first.pk).duplicate == "same_site"
    assert DuplicateLink.objects.filter(item=elsewhere, same_site=False).count() == 2
    assert first.sha256 == again.sha256 == elsewhere.sha256


def test_processing_is_idempotent(arezzo_assessment, arezzo_team, upload, processed, testdata):
    from evidence.pipeline import evidence_process

    item = processed(upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0027.jpg"))
    assert evidence_process(item.pk) is None  # already ready: nothing done twice
    assert EvidenceFacts.objects.get(pk=item.pk).attempts == 1


def test_pdf_page_count_and_text(arezzo_assessment, arezzo_team, upload, processed):
    item = processed(
        upload(
            arezzo_assessment, arezzo_team, make_pdf(["Monitoring report", "Wetland birds counted"]), name="report.pdf"
        )
    )
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.kind == "pdf" and item.facts.page_count == 2
    assert "Wetland birds counted" in item.facts.text


def test_docx_text(arezzo_assessment, arezzo_team, upload, processed):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            "<w:document><w:body><w:p><w:t>Patrol log of the ranger team</w:t></w:p></w:body></w:document>",
        )
        z.writestr("docProps/app.xml", "<Properties><Pages>3</Pages></Properties>")
    item = processed(upload(arezzo_assessment, arezzo_team, buf.getvalue(), name="patrols.docx"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.kind == "office" and item.facts.page_count == 3
    assert "ranger team" in item.facts.text


def test_gpx_track_inside_with_dates(arezzo_assessment, arezzo_team, upload, processed):
    gpx = (
        b'<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        b"<trk><name>patrol</name><trkseg>"
        b'<trkpt lat="43.465" lon="11.880"><time>2009-06-01T08:00:00Z</time></trkpt>'
        b'<trkpt lat="43.466" lon="11.882"><time>2009-06-01T09:00:00Z</time></trkpt>'
        b'<trkpt lat="43.467" lon="11.884"><time>2009-06-01T10:00:00Z</time></trkpt>'
        b"</trkseg></trk></gpx>"
    )
    item = processed(upload(arezzo_assessment, arezzo_team, gpx, name="patrol.gpx"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.kind == "geodata" and item.facts.feature_count == 1
    assert item.facts.location_check == "inside"
    assert item.facts.in_period is True
    assert item.facts.position is not None


def test_geojson_partly_outside(arezzo_assessment, arezzo_team, upload, processed):
    # given a line from inside the site to 0.1° east of it
    geojson = (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        b'"geometry":{"type":"Point","coordinates":[12.0,43.47]}}]}'
    )
    item = processed(upload(arezzo_assessment, arezzo_team, geojson, name="sighting.geojson"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.location_check == "outside"
    # 12.0 − 11.9 = 0.1° of longitude at 43.47° N ≈ 8.07 km
    assert item.facts.distance_km == pytest.approx(8.07, abs=0.1)


def test_kml_and_zipped_shapefile(arezzo_assessment, arezzo_team, upload, processed, testdata):
    kml = (
        b'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
        b"<name>nest</name><Point><coordinates>11.88,43.465</coordinates></Point></Placemark></Document></kml>"
    )
    item = processed(upload(arezzo_assessment, arezzo_team, kml, name="nest.kml"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.location_check == "inside"
    # the same placemark as Google Earth saves it: KMZ, its doc.kml zipped with an icon
    kmz = io.BytesIO()
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", kml)
        z.writestr("files/nest.png", b"\x89PNG\r\n\x1a\n")
    item = processed(upload(arezzo_assessment, arezzo_team, kmz.getvalue(), name="nest.kmz"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.kind == "geodata" and item.facts.location_check == "inside"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            z.write(testdata / f"pad-uae/{_uae_name(testdata)}.{ext}", f"uae/areas.{ext}")
    item = processed(upload(arezzo_assessment, arezzo_team, buf.getvalue(), name="uae.zip"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.kind == "geodata" and item.facts.feature_count == 50
    assert item.facts.location_check == "outside" and item.facts.distance_km > 3000


def test_geopackage(neiba, make_assessment, upload, processed, testdata):
    from accounts.tests.factories import Role, make_user

    manager = make_user(Role.SITE_MANAGER, protected_area=neiba)
    item = processed(upload(make_assessment(neiba, manager), manager, testdata / "neiba-zonal/gfw_sample.gpkg"))
    assert item.processing_status == "ready", item.status_reason
    assert item.facts.kind == "geodata" and item.facts.feature_count >= 1
    assert item.facts.location_check in ("inside", "outside")


def test_assessment_period_rule(arezzo_assessment):
    start, end = assessment_period(arezzo_assessment)
    assert (start, end) == (datetime.date(2005, 1, 1), datetime.date(2010, 12, 31))


def test_location_check_without_boundary(arezzo):
    assert location_check(Point(11.88, 43.46, srid=4326), None) == ("none", None)


def test_failure_reason_is_kept_and_other_items_unaffected(arezzo_assessment, arezzo_team, upload, processed, testdata):
    good = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0029.jpg")
    bad = processed(upload(arezzo_assessment, arezzo_team, b"\xff\xd8\xff\xe0garbage", name="broken.jpg"))
    assert bad.processing_status == "failed" and bad.facts.error_code == error_codes.IMAGE_CORRUPT
    assert processed(good).processing_status == "ready"


# --- helpers ---------------------------------------------------------------------------------


def make_pdf(pages: list[str], *, password: str | None = None) -> bytes:
    """A real PDF with one line of text per page (pypdf + a hand-made content stream)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for text in pages:
        page = writer.add_blank_page(width=595, height=842)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _uae_name(testdata) -> str:
    return next(p.stem for p in (testdata / "pad-uae").glob("*.shp"))


def test_pillow_exif_agrees_with_exifread_on_real_images(testdata):
    """The fast path (EXIF from the image Pillow opened) gives the facts ExifRead gives."""
    from evidence.extract import Draft, images

    paths = sorted(p for p in testdata.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    assert len(paths) > 50
    for path in paths:
        slow, fast = Draft(), Draft()
        images._read_file_exif(str(path), slow)
        with Image.open(path) as im:
            if not images._read_pillow_exif(im, fast):
                images._read_file_exif(str(path), fast)
        assert (fast.camera_make, fast.camera_model, fast.captured_at, fast.details, fast.dates) == (
            slow.camera_make,
            slow.camera_model,
            slow.captured_at,
            slow.details,
            slow.dates,
        ), path
        assert (fast.position is None) == (slow.position is None), path
        if fast.position is not None:
            assert fast.position.coords == pytest.approx(slow.position.coords, abs=1e-9), path
