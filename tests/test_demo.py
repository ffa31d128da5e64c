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
        "manager@demo.greenlist.test": ["Yosemite NP", "Candidate", "Grand Canyon NP", "In review"],
        "expert@demo.greenlist.test": ["Grand Canyon NP", "Open the review"],
        "reviewer@demo.greenlist.test": ["Grand Canyon NP", "Independent reviewer"],
        "staff@demo.greenlist.test": ["Portfolio", "protected areas loaded"],
        "admin@demo.greenlist.test": ["Portfolio"],
    }
    for email, texts in expected.items():
        client.login(username=email, password="greenlist-demo")
        page = client.get("/").content.decode()
        for text in texts:
            assert text in page, (email, text)
        client.logout()
