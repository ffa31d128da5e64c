"""Refusals of the consultation's API are translated when raised: a French reader sees them in French.

These pass once the French catalogue has the messages (locale/fr, merged and compiled separately)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from stakeholders import error_codes
from stakeholders.choices import Phase

pytestmark = pytest.mark.django_db


def test_an_unknown_site_number_reads_in_french(api_client, staff):
    # given staff opening a window through the API, reading French
    api_client.force_authenticate(staff)
    today = timezone.localdate()
    body = {
        "protected_area": 999999,
        "phase": Phase.CANDIDATE,
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
    }
    # when the site number is of no site
    with translation.override("fr"):
        response = api_client.post(reverse("consultation-list"), body, format="json", headers={"Accept-Language": "fr"})
    # then the refusal names the number, in French
    assert response.status_code == 400
    assert response.json()["code"] == error_codes.CONSULTATION_SITE_UNKNOWN
    assert response.json()["detail"] == "Aucun site ne porte le numéro 999999."
