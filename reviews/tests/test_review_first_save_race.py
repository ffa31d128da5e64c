"""Two first saves of the same expert's review at once (their phone's outbox and their laptop): the
second waits for the first and is told it changed meanwhile (409), rather than overwriting it or
failing on the unique constraint (review L5). What serialises them is the assessment row, which
indicator_review_save locks before the version check; this test keeps it that way."""

import threading

import pytest
from django.db import connection, transaction

from core.errors import Conflict
from reviews import services as review
from reviews.models import IndicatorReview
from reviews.tests.factories import in_review_with_expert, submitted_assessment


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_the_second_gets_409_with_the_first(area, site_manager, staff, expert):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff, n_indicators=1)
    in_review_with_expert(assessment, expert=expert, staff=staff)
    answer = assessment.answers.get()
    phone_saved, phone_commits = threading.Event(), threading.Event()
    laptop_result: list[object] = []

    def phone():
        try:
            with transaction.atomic():
                review.indicator_review_save(
                    assessment=assessment, answer=answer, by=expert, rating="meets", finding="Au téléphone.", seen=""
                )
                phone_saved.set()
                phone_commits.wait(30)
        finally:
            connection.close()

    def laptop():
        try:
            laptop_result.append(
                review.indicator_review_save(
                    assessment=assessment, answer=answer, by=expert, rating="meets", finding="Au bureau.", seen=""
                )
            )
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            laptop_result.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=phone)
    first.start()
    assert phone_saved.wait(30)
    second = threading.Thread(target=laptop)
    second.start()
    second.join(2)
    try:
        assert second.is_alive(), "the second save waits for the first to commit"
    finally:
        phone_commits.set()
        first.join(30)
        second.join(30)
    assert len(laptop_result) == 1 and isinstance(laptop_result[0], Conflict), laptop_result
    assert laptop_result[0].data["current"]["finding"] == "Au téléphone."
    assert list(IndicatorReview.objects.values_list("finding", flat=True)) == ["Au téléphone."]
