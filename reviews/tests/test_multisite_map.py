"""The review page's map of a multi-site application (issue 16): every site's boundary, each named."""

import pytest

from protected_areas.tests.factories import ProtectedAreaFactory, square
from reviews.review_page import site_map


@pytest.mark.django_db
def test_the_map_draws_and_names_every_site():
    main = ProtectedAreaFactory(name="Main Test Reserve", geom=square(105, 15), geom_display=square(105, 15))
    other = ProtectedAreaFactory(name="Other Test Park", geom=square(106, 15), geom_display=square(106, 15))
    drawn = site_map(main, [], [other])
    assert drawn["path"].count("M") == 2
    assert [label["name"] for label in drawn["labels"]] == ["Main Test Reserve", "Other Test Park"]
    left, right = drawn["labels"]
    assert left["x"] < right["x"]
    # one site: unchanged, no names drawn
    assert site_map(main, [])["labels"] == []


@pytest.mark.django_db
def test_a_name_at_the_frames_edge_stays_whole_on_the_map():
    from reviews.review_page import LABEL_LETTER_WIDTH, MAP_WIDTH

    # two sites a degree apart: each name's middle is at its site's, near the frame's edges
    main = ProtectedAreaFactory(name="Phong Dien Test Reserve", geom=square(105, 15), geom_display=square(105, 15))
    other = ProtectedAreaFactory(name="Connected Test Park", geom=square(106.5, 15), geom_display=square(106.5, 15))
    for label in site_map(main, [], [other])["labels"]:
        half = len(label["name"]) * LABEL_LETTER_WIDTH / 2
        # then the whole name, as wide as review.css draws it, is inside the drawing ("ong Dien Test Reserve")
        assert half <= label["x"] <= MAP_WIDTH - half, label


@pytest.mark.django_db
def test_the_review_page_names_every_site_on_its_map(client, team, expert):
    from django.urls import reverse

    from assessments.models import AssessmentSite

    assessment = team["assessment"]
    other = ProtectedAreaFactory(name="Connected Review Park")
    # added in its application phase (set directly: assessments/tests/test_sites.py tests adding)
    AssessmentSite.objects.create(
        assessment=assessment, protected_area=other, connection="c", shared_values="v", added_by=assessment.created_by
    )
    client.force_login(expert)
    body = client.get(reverse("reviews:review", args=[assessment.pk])).content.decode()
    assert 'class="site-name"' in body and "Connected Review Park" in body
