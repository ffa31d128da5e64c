import pytest


@pytest.fixture
def standard(db):
    from standards.tests.factories import load_gls

    return load_gls()


@pytest.fixture
def review_staff(db):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.IUCN_STAFF, email="review-staff@example.org")


@pytest.fixture
def certificate(standard, site_manager, staff, review_staff, area, jurisdiction):
    """A site listed through the real review and the Panel (certification.tests)."""
    from certification.tests.factories import panel_decide_for_tests
    from certification.tests.helpers import make_recommended

    recommended = make_recommended(area=area, site_manager=site_manager, reviewer=review_staff)
    decision = panel_decide_for_tests(
        assessment=recommended,
        user=staff,
        outcome="granted",
        reasons="All criteria met.",
        conditions="Fence the core zone.",
    )
    return decision.certificate


@pytest.fixture
def group_expert(certificate):
    """The expert of the group that reviewed the listed cycle."""
    from reviews.models import ReviewAssignment

    return ReviewAssignment.objects.get(assessment=certificate.decision.assessment, role="expert").user


@pytest.fixture
def panel_chair(db):
    from certification.tests.factories import make_panel_member

    return make_panel_member(email="chair@example.org", chair=True)
