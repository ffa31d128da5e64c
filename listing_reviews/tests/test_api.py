"""The reviews' API: the same rules and codes as the pages."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .factories import open_midterm, open_renewal


def test_the_midterm_review_through_the_api(api_client, certificate, site_manager, group_expert, panel_chair, staff):
    review = open_midterm(certificate)
    base = f"/api/v1/midterm-reviews/{review.pk}/"
    api_client.force_authenticate(staff)
    assert api_client.post(base + "update/", {"what_changed": "x"}, format="json").json()["code"] == (
        "midterm_not_allowed"
    )
    listed = api_client.get("/api/v1/listing-reviews/").json()
    assert [r["id"] for r in listed["midterm"]] == [review.pk]
    api_client.force_authenticate(site_manager)
    assert api_client.get("/api/v1/listing-reviews/").status_code == 403
    empty = api_client.post(base + "update/", {"what_changed": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "midterm_text_required"
    added = api_client.post(
        base + "evidence/", {"file": SimpleUploadedFile("m.txt", b"monitoring")}, format="multipart"
    )
    assert added.status_code == 201, added.content
    filed = api_client.post(base + "update/", {"what_changed": "New post."}, format="json")
    assert filed.status_code == 200 and filed.json()["status"] == "update_filed"
    again = api_client.post(base + "update/", {"what_changed": "Again."}, format="json")
    assert again.status_code == 409
    api_client.force_authenticate(group_expert)
    assert api_client.post(base + "group-review/", {"findings": "Good."}, format="json").status_code == 200
    api_client.force_authenticate(panel_chair)
    bad = api_client.post(base + "panel/", {"outcome": "opened", "note": "x"}, format="json")
    assert bad.status_code == 400
    done = api_client.post(base + "panel/", {"outcome": "panel_acted", "note": "Add a condition."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "panel_acted"


def test_the_renewal_through_the_api(api_client, certificate, site_manager, other_manager, staff):
    review = open_renewal(certificate)
    base = f"/api/v1/renewal-reviews/{review.pk}/"
    api_client.force_authenticate(other_manager)
    assert api_client.get(base).status_code == 404
    api_client.force_authenticate(staff)
    body = api_client.get(base).json()
    assert body["state"] == "awaiting_start" and "stays valid until its expiry date" in body["status_rule"]
    assert api_client.post(base + "start/").status_code == 403
    api_client.force_authenticate(site_manager)
    started = api_client.post(base + "start/")
    assert started.status_code == 201 and started.json()["state"] == "under_way"
    assert api_client.post(base + "start/").json()["code"] == "renewal_already_started"
    assert api_client.get("/api/v1/renewal-reviews/999999/").status_code == 404


def test_a_superscript_digit_as_a_condition_id_is_the_fields_error(api_client, certificate, site_manager):
    """'²'.isdigit() is true but int('²') fails: a 400 on `progress`, nothing filed."""
    review = open_midterm(certificate)
    api_client.force_authenticate(site_manager)
    response = api_client.post(
        f"/api/v1/midterm-reviews/{review.pk}/update/",
        {"what_changed": "New post.", "progress": {"²": "Online."}},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "progress" in str(response.json()), response.json()
    review.refresh_from_db()
    assert review.status == "opened"


def test_the_open_reviews_api_query_count_does_not_grow_with_the_reviews(api_client, certificate, staff):
    """Each review's certificate decision, evidence and steps are read in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from listing_reviews.models import MidtermReview, RenewalReview

    from .test_pages import _copy

    open_midterm(certificate)
    open_renewal(certificate)
    api_client.force_authenticate(staff)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get("/api/v1/listing-reviews/")
        assert response.status_code == 200
        return len(captured), response.json()

    one, listed = queries()
    assert len(listed["midterm"]) == 1 and len(listed["renewal"]) == 1
    for _ in range(4):
        copy = _copy(certificate)
        MidtermReview.objects.create(certificate=copy, due_on=certificate.granted_on)
        RenewalReview.objects.create(certificate=copy, due_on=certificate.expires_on)
    five, listed = queries()
    assert len(listed["midterm"]) == 5 and len(listed["renewal"]) == 5
    assert five == one, f"{one} queries for one review of each kind, {five} for five"
