"""One lookup per object for a person, so pages and the API give the same answer: for every role of
the permission world, an assessment, its review, its reports, a question to the site and a
certificate are either found on both paths or 404 on both (and a missing or malformed id is 404
everywhere). The lookups: `assessments.selectors.get_assessment_for_user`,
`reviews.selectors.get_request_for_user`, `certification.selectors.get_certificate_for_user` and
`get_certificate_pdf_for_user`."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# (what, page, API): GETs, and for the question a POST that saves nothing (an empty answer is
# refused after the lookup) on both paths.
PAIRS = [
    ("assessment", "GET /assessments/{a}/", "GET /api/v1/assessments/{a}/"),
    ("review", "GET /reviews/assessments/{a}/", "GET /api/v1/review-assessments/{a}/indicators/"),
    ("reports", "GET /reports/assessments/{a}/", "GET /api/v1/assessments/{a}/gaps/"),
    ("question", "POST /reviews/requests/{r}/reply/", "POST /api/v1/information-requests/{r}/replies/"),
    ("certificate", "GET /certification/certificates/{c}/", "GET /api/v1/certification/certificates/{c}/"),
    ("certificate PDF", "GET /certification/certificates/{c}/pdf/", "GET /api/v1/certification/certificates/{c}/pdf/"),
]


def _status(client: Client, line: str, ids: dict) -> int:
    method, url = line.split(" ", 1)
    url = url.format(**ids)
    response = client.get(url) if method == "GET" else client.post(url, {"text": ""})
    return response.status_code


@pytest.mark.parametrize(("what", "page", "api"), PAIRS, ids=[p[0] for p in PAIRS])
def test_pages_and_api_find_the_same_objects_for_every_role(world, what, page, api):
    ids = {"a": world.ids["own_assessment"], "r": world.ids["info_request"], "c": world.ids["certificate"]}
    found_by = {}
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        on_page, on_api = _status(client, page, ids), _status(client, api, ids)
        assert (on_page == 404) == (on_api == 404), (what, role, on_page, on_api)
        found_by[role] = on_page != 404
    # the comparison means something: someone finds it and an outsider does not
    assert found_by["staff"] and not found_by["other_manager"], found_by


@pytest.mark.parametrize(("what", "page", "api"), PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("missing", ["999999", "0"])
def test_a_missing_object_is_404_on_both_paths(world, what, page, api, missing):
    client = Client()
    client.force_login(world.users["staff"])  # who sees every existing one
    ids = {"a": missing, "r": missing, "c": f"GL-{missing}"}
    assert _status(client, page, ids) == 404, page
    assert _status(client, api, ids) == 404, api
