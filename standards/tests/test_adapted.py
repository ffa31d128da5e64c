import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed
from standards.adaptation import adaptation_save, adapted_set_create, adapted_set_submit, comment_add, consultation_save
from standards.models import Standard
from standards.selectors import indicator_set_for
from standards.services import adapted_set_approve


@pytest.fixture
def keeper(db):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


def make_submitted_set(standard, jurisdiction, expert, title="Viet Nam 2026", indicator_number="1.1.1"):
    """A set the expert group drafted, consulted on and submitted, through the services."""
    s = adapted_set_create(by=expert, standard=standard, jurisdiction=jurisdiction, title=title)
    adaptation_save(
        adapted_set=s,
        indicator=standard.indicators.get(number=indicator_number),
        by=expert,
        revision=s.revision,
        data={
            "text": "Adapted: the reserve's decree sets out its management board.",
            "thresholds": "Board meets at least twice a year",
        },
    )
    closed = timezone.localdate() - datetime.timedelta(days=3)
    consultation_save(
        adapted_set=s,
        by=expert,
        revision=s.revision,
        changes={
            "opened_on": closed - datetime.timedelta(days=30),
            "closed_on": closed,
            "who_was_consulted": "Provincial forest department, two commune councils",
            "method": "Two workshops and written comments",
        },
    )
    comment_add(
        adapted_set=s,
        by=expert,
        data={
            "from_whom": "Commune council",
            "comment": "Say who sits on the board.",
            "response": "The decree's list is cited.",
            "outcome": "accepted",
        },
    )
    return adapted_set_submit(adapted_set=s, by=expert)


@pytest.fixture
def draft_set(standard, jurisdiction, expert):
    """Submitted to the Committee, its consultation complete (the name stays from before)."""
    return make_submitted_set(standard, jurisdiction, expert)


@pytest.mark.django_db
def test_the_committee_approves_and_the_site_uses_the_adapted_set(draft_set, keeper, area, other_area, standard):
    # given a submitted set: the site uses the generic indicators
    assert indicator_set_for(area).adapted_set is None
    # when
    adapted_set_approve(adapted_set=draft_set, user=keeper)
    # then
    draft_set.refresh_from_db()
    assert draft_set.status == "approved" and draft_set.approved_by == keeper and draft_set.approved_on
    chosen = indicator_set_for(area)
    assert chosen.adapted_set == draft_set and chosen.standard == standard
    assert indicator_set_for(other_area).adapted_set is None  # LAO: not in the jurisdiction
    assert AuditEvent.objects.filter(action="adapted_set.approved", target_id=str(draft_set.pk)).exists()


@pytest.mark.django_db
def test_parent_iso3_places_a_site_in_a_jurisdiction(draft_set, keeper, area):
    adapted_set_approve(adapted_set=draft_set, user=keeper)
    area.iso3 = ["XXX"]
    area.parent_iso3 = ["VNM"]
    assert indicator_set_for(area).adapted_set == draft_set


@pytest.mark.django_db
def test_only_the_committee_approves_and_only_submitted_sets(draft_set, site_manager, expert, staff, keeper):
    # plain IUCN staff, the site's team and the expert group itself are refused
    for user in (site_manager, expert, staff):
        with pytest.raises(NotAllowed) as refused:
            adapted_set_approve(adapted_set=draft_set, user=user)
        assert refused.value.code == "adapted_set_committee_only"
        assert "Standard Committee" in refused.value.message
    adapted_set_approve(adapted_set=draft_set, user=keeper)
    with pytest.raises(DomainError) as err:
        adapted_set_approve(adapted_set=draft_set, user=keeper)
    assert err.value.code == "adapted_set_move_impossible"


@pytest.mark.django_db
def test_approving_a_new_set_retires_the_old(draft_set, keeper, expert, standard, jurisdiction):
    adapted_set_approve(adapted_set=draft_set, user=keeper)
    newer = make_submitted_set(standard, jurisdiction, expert, title="Viet Nam 2027", indicator_number="1.1.2")
    adapted_set_approve(adapted_set=newer, user=keeper)
    draft_set.refresh_from_db()
    assert draft_set.status == "retired"
    assert indicator_set_for_area_of(jurisdiction).adapted_set == newer
    assert draft_set.transitions.last().to_status == "retired"


@pytest.mark.django_db
def test_no_standard_means_no_indicator_set(area):
    assert Standard.objects.count() == 0
    assert indicator_set_for(area) is None


@pytest.mark.django_db
def test_admin_action_approves(client, keeper, draft_set):
    # the Committee member who is also IUCN staff uses the admin (administrators are not the Committee)
    from accounts.services import role_grant

    role_grant(user=keeper, role="iucn_staff", granted_by=None)
    client.force_login(keeper)
    response = client.post(
        reverse("admin:standards_adaptedindicatorset_changelist"),
        {"action": "approve", "_selected_action": [draft_set.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft_set.refresh_from_db()
    assert draft_set.status == "approved" and draft_set.approved_by == keeper


@pytest.mark.django_db
def test_admin_action_refuses_an_administrator_who_is_not_of_the_committee(client, admin_user, draft_set):
    client.force_login(admin_user)
    client.post(
        reverse("admin:standards_adaptedindicatorset_changelist"),
        {"action": "approve", "_selected_action": [draft_set.pk]},
        follow=True,
    )
    draft_set.refresh_from_db()
    assert draft_set.status == "submitted"


def indicator_set_for_area_of(jurisdiction):
    class Site:
        iso3 = jurisdiction.countries
        parent_iso3 = None

    return indicator_set_for(Site())
