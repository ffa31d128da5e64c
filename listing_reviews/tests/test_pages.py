"""The review pages: who sees and does what, refusals before the form is read, constant query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from listing_reviews.choices import MidtermStatus

from .factories import open_midterm, open_renewal


def _url(name, review, suffix=""):
    return reverse(f"listing_reviews:{name}", args=[review.pk]) + suffix


def test_the_midterm_page_walk(client, certificate, site_manager, group_expert, panel_chair, staff):
    import datetime

    from certification.conditions import condition_add

    condition = condition_add(
        certificate=certificate,
        text="Publish the patrol data.",
        due_on=certificate.expires_on - datetime.timedelta(days=30),
        checked_by="expert_group",
        by=staff,
    )
    review = open_midterm(certificate)
    client.force_login(site_manager)
    page = client.get(_url("midterm", review)).content.decode()
    assert 'id="midterm-update-form"' in page and "Publish the patrol data." in page
    refused = client.post(_url("midterm-update", review), {"what_changed": " "})
    assert refused.status_code == 400 and 'id="midterm-error"' in refused.content.decode()
    upload = client.post(
        _url("midterm-evidence", review), {"file": SimpleUploadedFile("m.txt", b"monitoring"), "title": "Monitoring"}
    )
    assert upload.status_code == 302
    assert f'name="progress_{condition.pk}"' in client.get(_url("midterm", review)).content.decode()
    filed = client.post(
        _url("midterm-update", review), {"what_changed": "New post.", f"progress_{condition.pk}": "Online."}
    )
    assert filed.status_code == 302
    assert condition.progress.get().text == "Online."
    client.force_login(group_expert)
    assert 'id="midterm-review-form"' in client.get(_url("midterm", review)).content.decode()
    assert client.post(_url("midterm-group-review", review), {"findings": "Good."}).status_code == 302
    client.force_login(panel_chair)
    assert client.post(_url("midterm-panel", review), {"outcome": "panel_noted", "note": "Noted."}).status_code == 302
    review.refresh_from_db()
    assert review.status == MidtermStatus.PANEL_NOTED


def test_outsiders_are_refused(client, certificate, other_manager, expert, site_manager, staff):
    review = open_midterm(certificate)
    renewal = open_renewal(certificate)
    client.force_login(other_manager)
    assert client.get(_url("midterm", review)).status_code == 404
    assert client.post(_url("midterm-update", review), {"what_changed": "x"}).status_code == 404
    assert client.get(_url("renewal", renewal)).status_code == 404
    assert client.post(_url("renewal-start", renewal)).status_code == 404
    assert client.get(reverse("listing_reviews:list")).status_code == 403
    # staff see the review but file nothing: 403 before the form is read
    client.force_login(staff)
    assert client.get(_url("midterm", review)).status_code == 200
    assert client.post(_url("midterm-update", review), {}).status_code == 403
    assert client.post(_url("midterm-panel", review), {}).status_code == 403
    assert client.post(_url("renewal-start", renewal)).status_code == 403
    # the site team: wrong state is a 409 page
    client.force_login(site_manager)
    assert client.post(_url("midterm-group-review", review), {"findings": "x"}).status_code == 403
    assert client.post(_url("renewal-start", renewal)).status_code == 302
    again = client.post(_url("renewal-start", renewal))
    assert again.status_code == 409


@pytest.mark.parametrize("extra_sites", [0, 4])
def test_staff_list_query_count_is_constant(
    client, certificate, staff, extra_sites, django_assert_max_num_queries, site_manager
):
    from listing_reviews.models import MidtermReview, RenewalReview

    open_midterm(certificate)
    open_renewal(certificate)
    # more reviews of the same kind, on copies of the certificate's rows (the page reads only these)
    for _ in range(extra_sites):
        MidtermReview.objects.create(certificate=_copy(certificate), due_on=certificate.granted_on)
    assert RenewalReview.objects.count() == 1
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("listing_reviews:list"))
    assert page.status_code == 200 and page.content.decode().count("/listing-reviews/midterm/") == 1 + extra_sites


def _copy(certificate):
    """Another listed site's certificate: a new area with the same decision copied."""
    from certification.models import Certificate, Decision
    from protected_areas.tests.factories import ProtectedAreaFactory

    decision = Decision.objects.get(pk=certificate.decision_id)
    assessment = decision.assessment
    area = ProtectedAreaFactory()
    assessment.pk = None
    assessment.id = None
    assessment.protected_area = area
    assessment.save()
    decision.pk = None
    decision.id = None
    decision.assessment = assessment
    decision.save()
    return Certificate.objects.create(
        number=f"GL-T-{area.pk}",
        decision=decision,
        protected_area=area,
        standard=certificate.standard,
        standard_version=certificate.standard_version,
        granted_on=certificate.granted_on,
        expires_on=certificate.expires_on,
    )


def test_the_listed_assessment_page_links_its_reviews(client, certificate, site_manager, other_manager):
    review = open_midterm(certificate)
    renewal = open_renewal(certificate)
    listed = certificate.decision.assessment
    client.force_login(site_manager)
    page = client.get(reverse("assessments:detail", args=[listed.pk])).content.decode()
    assert _url("midterm", review) in page and _url("renewal", renewal) in page


def test_the_panel_acted_page_points_staff_to_conditions_and_concerns(
    client, certificate, site_manager, group_expert, panel_chair, staff
):
    from listing_reviews import services

    review = open_midterm(certificate)
    services.midterm_update_file(review=review, by=site_manager, what_changed="Changes.")
    services.midterm_group_review(review=review, by=group_expert, findings="Findings.")
    services.midterm_panel_record(review=review, by=panel_chair, outcome="panel_acted", note="Add a condition.")
    client.force_login(staff)
    page = client.get(_url("midterm", review)).content.decode()
    assert 'id="midterm-act"' in page
    assert reverse("certification:conditions", args=[certificate.number]) in page


def test_a_superscript_digit_in_a_progress_field_is_no_condition_nor_a_500(client, certificate, site_manager):
    """'²'.isdigit() is true but int('²') fails: such a field names no condition and is left out."""
    review = open_midterm(certificate)
    client.force_login(site_manager)
    response = client.post(_url("midterm-update", review), {"what_changed": "New post.", "progress_²": "Online."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == MidtermStatus.UPDATE_FILED and review.what_changed == "New post."


def test_the_midterm_page_shows_the_progress_given_on_each_condition(client, certificate, site_manager, staff):
    import datetime

    from certification.conditions import condition_add, condition_report_progress

    due_on = certificate.expires_on - datetime.timedelta(days=30)
    patrol, signs, quiet = (
        condition_add(certificate=certificate, text=text, due_on=due_on, checked_by="expert_group", by=staff)
        for text in ("Publish the patrol data.", "Post the signs & lights.", "Train the rangers.")
    )
    # a report given before the mid-term review opened is not part of its update
    condition_report_progress(condition=signs, by=site_manager, text="Ordered the signs.")
    review = open_midterm(certificate)
    client.force_login(site_manager)
    # given an update with progress typed for two conditions and nothing in general
    filed = client.post(
        _url("midterm-update", review),
        {
            "what_changed": "New post.",
            f"progress_{patrol.pk}": "Online since May.",
            f"progress_{signs.pk}": "Half up <b>.",
        },
    )
    assert filed.status_code == 302
    # then the page shows each condition's progress, and never says none was given
    page = client.get(_url("midterm", review)).content.decode()
    assert "none given" not in page
    assert 'id="midterm-condition-progress"' in page
    assert (
        f'<li data-condition="{patrol.pk}"><strong>Publish the patrol data.</strong><br>Online since May.</li>' in page
    )
    assert (
        f'<li data-condition="{signs.pk}"><strong>Post the signs &amp; lights.</strong><br>Half up &lt;b&gt;.</li>'
        in page
    )
    assert f'data-condition="{quiet.pk}"' not in page and "Ordered the signs." not in page
    # and a report given after the filing is not part of the update either
    condition_report_progress(condition=quiet, by=site_manager, text="Course booked.")
    assert "Course booked." not in client.get(_url("midterm", review)).content.decode()


def test_the_midterm_page_says_none_given_only_without_any_progress(client, certificate, site_manager):
    review = open_midterm(certificate)
    client.force_login(site_manager)
    assert client.post(_url("midterm-update", review), {"what_changed": "New post."}).status_code == 302
    page = client.get(_url("midterm", review)).content.decode()
    assert "none given" in page and 'id="midterm-condition-progress"' not in page
    # the general word on the conditions, alone, is progress given too
    review.conditions_progress = "On track."
    review.save(update_fields=["conditions_progress"])
    page = client.get(_url("midterm", review)).content.decode()
    assert "On track." in page and "none given" not in page
