import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed
from standards.models import AdaptedIndicator, AdaptedIndicatorSet, Standard
from standards.selectors import indicator_set_for
from standards.services import adapted_set_approve


@pytest.fixture
def draft_set(standard, jurisdiction):
    s = AdaptedIndicatorSet.objects.create(standard=standard, jurisdiction=jurisdiction, title="Viet Nam 2026")
    AdaptedIndicator.objects.create(
        adapted_set=s,
        indicator=standard.indicators.get(number="1.1.1"),
        text="Adapted: the reserve's decree sets out its management board.",
        thresholds="Board meets at least twice a year",
    )
    return s


@pytest.mark.django_db
def test_staff_approve_and_the_site_uses_the_adapted_set(draft_set, staff, area, other_area, standard):
    # given a draft: the site uses the generic indicators
    assert indicator_set_for(area).adapted_set is None
    # when
    adapted_set_approve(adapted_set=draft_set, user=staff)
    # then
    draft_set.refresh_from_db()
    assert draft_set.status == "approved" and draft_set.approved_by == staff and draft_set.approved_on
    chosen = indicator_set_for(area)
    assert chosen.adapted_set == draft_set and chosen.standard == standard
    assert indicator_set_for(other_area).adapted_set is None  # LAO: not in the jurisdiction
    assert AuditEvent.objects.filter(action="adapted_set.approved", target_id=str(draft_set.pk)).exists()


@pytest.mark.django_db
def test_parent_iso3_places_a_site_in_a_jurisdiction(draft_set, staff, area):
    adapted_set_approve(adapted_set=draft_set, user=staff)
    area.iso3 = ["XXX"]
    area.parent_iso3 = ["VNM"]
    assert indicator_set_for(area).adapted_set == draft_set


@pytest.mark.django_db
def test_only_staff_approve_and_only_drafts(draft_set, site_manager, expert, staff):
    for user in (site_manager, expert):
        with pytest.raises(NotAllowed):
            adapted_set_approve(adapted_set=draft_set, user=user)
    adapted_set_approve(adapted_set=draft_set, user=staff)
    with pytest.raises(DomainError) as err:
        adapted_set_approve(adapted_set=draft_set, user=staff)
    assert err.value.code == "adapted_set_not_draft"


@pytest.mark.django_db
def test_approving_a_new_set_retires_the_old(draft_set, staff, standard, jurisdiction):
    adapted_set_approve(adapted_set=draft_set, user=staff)
    newer = AdaptedIndicatorSet.objects.create(standard=standard, jurisdiction=jurisdiction, title="Viet Nam 2027")
    AdaptedIndicator.objects.create(adapted_set=newer, indicator=standard.indicators.first(), text="Newer wording")
    adapted_set_approve(adapted_set=newer, user=staff)
    draft_set.refresh_from_db()
    assert draft_set.status == "retired"


@pytest.mark.django_db
def test_no_standard_means_no_indicator_set(area):
    assert Standard.objects.count() == 0
    assert indicator_set_for(area) is None


@pytest.mark.django_db
def test_admin_action_approves(client, admin_user, draft_set):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:standards_adaptedindicatorset_changelist"),
        {"action": "approve", "_selected_action": [draft_set.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft_set.refresh_from_db()
    assert draft_set.status == "approved" and draft_set.approved_by == admin_user
