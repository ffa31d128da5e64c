import pytest


@pytest.fixture
def standard(db):
    from standards.tests.factories import load_gls

    return load_gls()


@pytest.fixture
def review_staff(db):
    """An IUCN staff member who ran the review (and so may not decide)."""
    from accounts.tests.factories import Role, make_user

    return make_user(Role.IUCN_STAFF, email="review-staff@example.org")


@pytest.fixture
def recommended(standard, site_manager, staff, review_staff, area, jurisdiction):
    from certification.tests.helpers import make_recommended

    return make_recommended(area=area, site_manager=site_manager, reviewer=review_staff)


@pytest.fixture
def certificate(recommended, staff):
    from certification.tests.factories import panel_decide_for_tests

    decision = panel_decide_for_tests(
        assessment=recommended,
        user=staff,
        outcome="granted",
        reasons="All 17 criteria met.",
        public_summary="Well run.",
    )
    return decision.certificate
