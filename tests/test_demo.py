import pytest
from django.core import management

from accounts import rules
from accounts.models import User
from assessments.models import Assessment
from certification.models import Certificate
from standards.models import Jurisdiction

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard_loaded():
    management.call_command("load_standard", "standards/data/gls-v1.1.yaml", verbosity=0)


def test_demo_brings_one_login_per_role_and_a_platform_in_use(standard_loaded, django_capture_on_commit_callbacks):
    management.call_command("load_demo", verbosity=0)
    manager = User.objects.get(email="manager@demo.greenlist.test")
    assert manager.check_password("greenlist-demo")
    assert rules.is_iucn_staff(User.objects.get(email="staff@demo.greenlist.test"))
    usa = Jurisdiction.objects.get(code="usa")
    assert rules.chairs_group_for(User.objects.get(email="chair@demo.greenlist.test"), usa.pk)
    assert not rules.chairs_group_for(User.objects.get(email="expert@demo.greenlist.test"), usa.pk)
    phases = dict(Assessment.objects.values_list("protected_area__key", "status"))
    assert phases == {"nps:YOSE": "candidate", "nps:GRCA": "in_review", "nps:YELL": "decided"}
    assert Certificate.objects.get().status == "active"


def test_second_demo_load_changes_nothing(standard_loaded):
    management.call_command("load_demo", verbosity=0)
    counts = (User.objects.count(), Assessment.objects.count(), Certificate.objects.count())
    management.call_command("load_demo", verbosity=0)
    assert (User.objects.count(), Assessment.objects.count(), Certificate.objects.count()) == counts


def test_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(management.CommandError, match="never loaded in production"):
        management.call_command("load_demo", verbosity=0)


def test_every_demo_login_gets_a_home_page_saying_what_to_do_next(standard_loaded, client):
    management.call_command("load_demo", verbosity=0)
    expected = {
        "manager@demo.greenlist.test": [
            "Yosemite NP",
            "Continue Yosemite NP: 32 indicators left",
            "Grand Canyon NP",
            "In review",
            "1 question from reviewers",
        ],
        "expert@demo.greenlist.test": ["Grand Canyon NP", "Open the review"],
        "reviewer@demo.greenlist.test": ["Grand Canyon NP", "Independent reviewer"],
        "staff@demo.greenlist.test": ["To do", "protected areas loaded", "0 decisions due"],
        "admin@demo.greenlist.test": ["To do"],
        "keeper@demo.greenlist.test": ["The Standard", "No draft in progress."],
        "panel1@demo.greenlist.test": ["Green List Panel", "No Panel case is waiting for you."],
    }
    for email, texts in expected.items():
        client.login(username=email, password="greenlist-demo")
        page = client.get("/").content.decode()
        for text in texts:
            assert text in page, (email, text)
        client.logout()


def test_the_demo_review_has_evidence_with_places_and_a_question_answered_with_a_file(standard_loaded):
    from evidence.models import EvidenceItem
    from reviews.models import InformationRequest

    management.call_command("load_demo", verbosity=0)
    canyon = Assessment.objects.get(protected_area__key="nps:GRCA")
    items = EvidenceItem.objects.filter(assessment=canyon)
    assert {i.content_type for i in items} == {"image/jpeg", "application/pdf"}
    assert items.filter(answers__isnull=False).distinct().count() == 4
    answered, still_open = InformationRequest.objects.filter(answer__assessment=canyon).order_by("id")
    assert answered.status == "answered" and still_open.status == "open"
    assert [i.title for i in answered.replies.get().evidence.all()] == ["Advisory board minutes, March 2026"]


def test_the_demo_photos_carry_a_place_the_pipeline_reads(standard_loaded):
    from evidence.models import EvidenceItem
    from evidence.pipeline import evidence_process

    management.call_command("load_demo", verbosity=0)
    inside = EvidenceItem.objects.get(title__startswith="Camera trap 07")
    outside = EvidenceItem.objects.get(title__startswith="Outreach display")
    for item in (inside, outside):
        evidence_process(item.pk)
        item.refresh_from_db()
    assert inside.facts.location_check == "inside"
    assert outside.facts.location_check == "outside" and outside.facts.distance_km > 10
    assert inside.facts.captured_at.date().isoformat() == "2026-05-14"
