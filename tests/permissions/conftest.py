"""The permission world, shared by the matrix (test_matrix.py) and the schema check
(test_api_responses.py): one set of people, sites and objects, built through the services."""

import pytest

from .world import build_world


@pytest.fixture
def world(area, other_area, jurisdiction, site_manager, other_manager, expert, reviewer, staff, admin_user):
    return build_world(
        area=area,
        other_area=other_area,
        jurisdiction=jurisdiction,
        site_manager=site_manager,
        other_manager=other_manager,
        expert=expert,
        reviewer=reviewer,
        staff=staff,
        admin_user=admin_user,
    )
