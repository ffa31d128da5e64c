"""Pages and API: search with highlighted snippets, status polling, thumbnails; who may see them."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.tests.test_pipeline import make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(arezzo_assessment, arezzo_team, upload, processed, testdata):
    report = processed(
        upload(
            arezzo_assessment,
            arezzo_team,
            make_pdf(["Wetland birds were counted", "Rangers <script>alert(1)</script> patrol"]),
            name="birds.pdf",
            title="Annual monitoring report",
        )
    )
    photo = processed(
        upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0010.jpg", title="Nest site photo")
    )
    secret = processed(
        upload(
            arezzo_assessment,
            arezzo_team,
            make_pdf(["Wetland nest of a threatened crane"]),
            name="crane.pdf",
            sensitivity="site_team",
            title="Crane nest",
        )
    )
    return {"report": report, "photo": photo, "secret": secret}


def test_search_page_highlights_and_escapes(client, arezzo_team, arezzo_assessment, evidence):
    client.force_login(arezzo_team)
    url = reverse("evidence:search", args=[arezzo_assessment.pk])
    response = client.get(url, {"q": "wetland"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Wetland</mark> birds" in html
    assert "Crane nest" in html  # the site team sees its own site-team-only items
    response = client.get(url, {"q": "rangers patrol"})
    html = response.content.decode()
    assert "<mark>Rangers</mark>" in html and "<script>alert" not in html
    response = client.get(url, {"q": "monitoring"})  # the title is searched too
    assert "Annual <mark>monitoring</mark> report" in response.content.decode()


def test_highlighted_tag_escapes_everything_but_marks():
    from django.template import Context, Template

    raw = "a \u27e6b\u27e7 <img src=x onerror=alert(1)> & c"
    html = Template("{% load evidence_facts %}{% highlighted raw %}").render(Context({"raw": raw}))
    assert html == "a <mark>b</mark> &lt;img src=x onerror=alert(1)&gt; &amp; c"


def test_search_hides_site_team_items_from_staff_only_when_rules_say(client, staff, arezzo_assessment, evidence):
    client.force_login(staff)
    response = client.get(reverse("evidence:search", args=[arezzo_assessment.pk]), {"q": "wetland"})
    assert response.status_code == 200 and "Crane nest" in response.content.decode()  # staff see everything


@pytest.mark.parametrize("who", ["outsider", "site_manager", "expert", "reviewer"])
def test_outsiders_get_404_everywhere(client, request, who, arezzo_assessment, evidence, api_client):
    user = request.getfixturevalue(who)
    client.force_login(user)
    api_client.force_authenticate(user)
    pk = arezzo_assessment.pk
    item = evidence["photo"].pk
    for url in (
        reverse("evidence:search", args=[pk]) + "?q=wetland",
        reverse("evidence:status", args=[pk]),
        reverse("evidence:assessment", args=[pk]),
        reverse("evidence:thumbnail", args=[item]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("evidence-search", args=[pk]) + "?q=wetland",
        reverse("evidence-status", args=[pk]),
        reverse("evidence-facts", args=[item]),
    ):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"]


def test_anonymous_is_sent_to_login(client, arezzo_assessment):
    response = client.get(reverse("evidence:search", args=[arezzo_assessment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_search_and_facts(api_client, arezzo_team, arezzo_assessment, evidence):
    api_client.force_authenticate(arezzo_team)
    rows = api_client.get(reverse("evidence-search", args=[arezzo_assessment.pk]), {"q": "birds"}).json()
    assert [r["id"] for r in rows] == [evidence["report"].pk]
    assert "\u27e6birds\u27e7" in rows[0]["snippet"]
    facts = api_client.get(reverse("evidence-facts", args=[evidence["photo"].pk])).json()
    assert facts["location_check"] == "inside" and facts["camera_make"] == "NIKON"
    assert facts["latitude"] == pytest.approx(43.4674, abs=1e-3)


def test_search_too_long_is_a_clear_400(client, api_client, arezzo_team, arezzo_assessment):
    client.force_login(arezzo_team)
    response = client.get(reverse("evidence:search", args=[arezzo_assessment.pk]), {"q": "x" * 201})
    assert response.status_code == 400 and "at most 200" in response.content.decode()
    api_client.force_authenticate(arezzo_team)
    response = api_client.get(reverse("evidence-search", args=[arezzo_assessment.pk]), {"q": "x" * 201})
    assert response.status_code == 400 and response.json()["code"] == "search_query_too_long"


def test_thumbnail_served_to_the_team(client, arezzo_team, evidence):
    client.force_login(arezzo_team)
    response = client.get(reverse("evidence:thumbnail", args=[evidence["photo"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(reverse("evidence:thumbnail", args=[evidence["report"].pk])).status_code == 404


def test_status_json(client, arezzo_team, arezzo_assessment, evidence, upload):
    pending = upload(arezzo_assessment, arezzo_team, b"plain notes", name="notes.txt")
    client.force_login(arezzo_team)
    data = client.get(reverse("evidence:status", args=[arezzo_assessment.pk])).json()
    by_id = {row["id"]: row for row in data["items"]}
    assert data["pending"] == 1 and by_id[pending.pk]["status"] == "pending"
    assert by_id[evidence["photo"].pk]["location_check"] == "inside"
    assert by_id[evidence["photo"].pk]["thumbnail"].endswith("/thumbnail/")


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(client, arezzo_team, arezzo_assessment, upload, processed, testdata):
    client.force_login(arezzo_team)
    urls = [
        reverse("evidence:assessment", args=[arezzo_assessment.pk]),
        reverse("evidence:status", args=[arezzo_assessment.pk]),
        reverse("evidence:search", args=[arezzo_assessment.pk]) + "?q=wetland",
    ]

    def add(n):
        for i in range(n):
            processed(upload(arezzo_assessment, arezzo_team, make_pdf([f"Wetland survey {i}"]), name=f"s{i}.pdf"))
            processed(upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0040.jpg"))

    add(1)
    small = [_queries(client, u) for u in urls]
    add(4)
    assert [_queries(client, u) for u in urls] == small


def test_overview_page_has_badges_and_pins(client, arezzo_team, arezzo_assessment, evidence):
    client.force_login(arezzo_team)
    html = client.get(reverse("evidence:assessment", args=[arezzo_assessment.pk])).content.decode()
    assert "Inside the site" in html and "NIKON COOLPIX P6000" in html and "In assessment period" in html
    start = html.index('id="ep-pins"')
    pins = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert [f["properties"]["id"] for f in pins["features"]] == [evidence["photo"].pk]
