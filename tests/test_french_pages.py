"""No English left in a French (or Spanish) page's visible text: every page string goes through the
catalogues, and the Standard's English fallback is marked lang="en" (issue 15).

The check itself is tests/visible_text.py; the same check runs on the DOM of every role's pages on a
phone in tests/journeys/test_every_role_on_a_phone.py.
"""

import pytest
from django.urls import reverse

from reviews import services as review_services
from reviews.tests.factories import submitted_assessment
from tests.visible_text import english_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(area, site_manager, staff, jurisdiction):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = assessment.answers.order_by("indicator__position").first()
    review_services.information_request_create(
        assessment=assessment, answer=answer, by=staff, question="Procès-verbal 2025 ?"
    )
    return assessment


@pytest.mark.parametrize("language", ["fr", "es"])
def test_pages_have_no_english_left_in_their_visible_text(client, world, site_manager, staff, language):
    pages = [
        (site_manager, "/"),
        (site_manager, reverse("assessments:detail", args=[world.pk])),
        (site_manager, reverse("assessments:list")),
        (staff, "/"),
        (staff, f"/reviews/assessments/{world.pk}/"),
        (staff, "/standard/versions/"),
        (staff, "/areas/import/"),
        (None, "/standard/"),
        (None, "/green-list/"),
        (None, "/areas/"),
    ]
    left = []
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        left += [f"{url}: {sentence}" for sentence in english_words(response.content.decode())]
    assert left == []


def test_the_check_itself_finds_english_and_ignores_what_is_marked_english():
    page = (
        '<html lang="fr"><body><p>Enregistrer</p><p>Save the draft</p><p lang="en">Rights of the site</p></body></html>'
    )
    assert english_words(page) == ["Save the draft"]
