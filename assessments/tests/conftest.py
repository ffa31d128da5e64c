import pytest


@pytest.fixture
def standard(db):
    from standards.tests.factories import load_gls

    return load_gls()


@pytest.fixture
def assessment(standard, site_manager, staff, area):
    """A cycle-1 assessment of `area`, accepted as candidate (the phase where the team fills it in)."""
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible

    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a
