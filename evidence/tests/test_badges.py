"""The badges of evidence items: data built once per batch, drawn by one template render for pages
that list a thousand of them; what each says, in the reader's language, with every value from a file
escaped."""

import datetime

import pytest
from django.utils import timezone, translation

from evidence.badges import badges, render_badges
from evidence.models import EvidenceFacts


@pytest.fixture(autouse=True)
def english():
    # whatever an earlier test's request left active in this thread
    with translation.override("en"):
        yield


class _Item:
    def __init__(self, pk, status="ready", reason=""):
        self.pk, self.processing_status, self.status_reason = pk, status, reason


def facts_html(item, facts=None):
    return render_badges([item], {item.pk: facts} if facts is not None else {})[item.pk]


def test_badges_are_data_and_the_template_escapes_them():
    box = badges(_Item(4, "failed", "<b>bad</b>"), EvidenceFacts(camera_make="<i>x</i>", location_check="none"))
    assert box["failed"] and box["reason"] == "<b>bad</b>"  # raw: the template escapes
    assert {"cls": "ep-badge", "text": "<i>x</i> "} in box["badges"]
    html = facts_html(_Item(4, "failed", "<b>bad</b>"), EvidenceFacts(camera_make="<i>x</i>"))
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "<i>" not in html and "&lt;b&gt;bad&lt;/b&gt;" in html


def test_one_render_gives_each_item_its_own_box():
    items = [_Item(1, "pending"), _Item(2, "failed", "broken"), _Item(3)]
    boxes = render_badges(items, {3: EvidenceFacts(location_check="inside")})
    assert list(boxes) == [1, 2, 3]
    assert all(f'data-evidence-id="{pk}"' in html and html.count("ep-facts") == 1 for pk, html in boxes.items())
    assert "broken" in boxes[2] and "Inside the site" in boxes[3]


def test_an_item_not_yet_processed_shows_its_status_only():
    html = facts_html(_Item(7, "pending"))
    assert 'data-evidence-id="7" data-status="pending"' in html
    assert '<li class="ep-badge ep-status ep-status-pending" data-role="status">Pending</li></ul>' in html
    assert '<p class="ep-reason" data-role="reason" hidden></p>' in html


def test_a_failed_item_shows_why_escaped():
    html = facts_html(_Item(8, "failed", "Not a <b>PDF</b> & truncated"))
    assert '<p class="ep-reason" data-role="reason">Not a &lt;b&gt;PDF&lt;/b&gt; &amp; truncated</p>' in html


def test_the_facts_become_badges():
    facts = EvidenceFacts(
        kind="pdf",
        page_count=3,
        captured_at=timezone.make_aware(datetime.datetime(2024, 5, 6, 7, 8)),
        camera_make="Can<on>",
        location_check="outside",
        distance_km=2.345,
        in_period=False,
        duplicate="same_site",
        thumbnail="thumbs/9.webp",
        raster_stats={"valid_pixels": 10, "mean": 2.56, "valid_share": 0.5},
        camera_trap={"species": ["a", "b"], "detections": 12},
    )
    html = facts_html(_Item(9), facts)
    assert '<img class="ep-thumb" src="/evidence-processing/items/9/thumbnail/"' in html
    assert '<li class="ep-badge ep-kind">PDF document · 3 pages</li>' in html
    assert "Taken 2024-05-06 07:08</li>" in html
    assert '<li class="ep-badge">Can&lt;on&gt; </li>' in html
    assert 'class="ep-badge ep-loc ep-loc-outside" data-role="location">Outside · 2.3 km</li>' in html
    assert 'class="ep-badge ep-period-no" data-role="period">Outside assessment period</li>' in html
    assert 'class="ep-badge ep-dup-same" data-role="duplicate">Already uploaded for this site</li>' in html
    assert "Mean in site 2.6 · valid 0.50</li>" in html
    assert "12 detections · 2 species</li>" in html


@pytest.mark.parametrize(
    ("check", "km", "text"),
    [("inside", 0.0, "Inside the site"), ("outside", 0.0, "Partly outside"), ("none", None, "No location")],
)
def test_where_the_file_was_taken(check, km, text):
    html = facts_html(_Item(1), EvidenceFacts(location_check=check, distance_km=km))
    assert f'data-role="location">{text}</li>' in html


def test_badges_speak_the_readers_language():
    facts = EvidenceFacts(kind="pdf", page_count=1, location_check="outside", distance_km=2.25)
    with translation.override("fr"):
        html = render_badges([_Item(3, "pending")], {3: facts})[3]
    assert 'aria-label="Résultats du traitement"' in html and ">En attente<" in html
    assert "Hors du site · 2,2 km" in html or "Hors du site · 2,3 km" in html


def test_a_box_drawn_before_is_reused_only_while_its_data_is_the_same(monkeypatch):
    from django.template import loader

    renders = []
    real = loader.get_template

    def counting(name, *args, **kwargs):
        template = real(name, *args, **kwargs)
        render = template.render

        def counted(context=None, request=None):
            renders.append(len(context["boxes"]))
            return render(context, request)

        template.render = counted
        return template

    monkeypatch.setattr("core.fragments.get_template", counting)
    items = [_Item(101, "pending"), _Item(102, "pending")]
    first = render_badges(items, {})
    again = render_badges(items, {})
    assert again == first and renders == [2]  # nothing new to draw the second time
    # item 101 is processed meanwhile: only its box is drawn again, and it says so
    changed = render_badges([_Item(101, "ready"), _Item(102, "pending")], {101: EvidenceFacts(location_check="inside")})
    assert renders == [2, 1]
    assert "Inside the site" in changed[101] and "Inside the site" not in first[101]
    assert changed[102] == first[102]
    with translation.override("fr"):  # another language is other data: drawn in French
        french = render_badges(items, {})
    assert renders == [2, 1, 2] and french[101] != first[101]
