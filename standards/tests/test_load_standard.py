import json
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from standards.models import Component, Criterion, Indicator, Standard
from standards.tests.factories import GLS_PATH


def run(*args) -> str:
    out = StringIO()
    call_command("load_standard", *args, stdout=out)
    return out.getvalue()


def gls() -> dict:
    return yaml.safe_load(GLS_PATH.read_text())


def write(tmp_path, data, name="std.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.django_db
def test_loads_the_shipped_standard_and_reports_counts():
    # when
    out = run(str(GLS_PATH), "--json")
    # then
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary == {"version": "1.1", "components": 4, "criteria": 17, "indicators": 50, "created": True}
    standard = Standard.objects.get()
    assert Indicator.objects.filter(standard=standard).count() == 50
    first = Indicator.objects.get(code="GLS-V1.1-1.1.1")
    assert first.criterion.number == "1.1" and first.criterion.component.number == "1"
    assert first.means_of_verification
    assert standard.rating_codes[0] == "meets"
    assert standard.rating("not_applicable")["requires_justification"] is True
    assert standard.rules["standard_met_when"] == "all_criteria_met"
    assert len(standard.source_sha256) == 64


@pytest.mark.django_db
def test_second_load_of_the_same_file_adds_nothing(django_assert_max_num_queries):
    run(str(GLS_PATH), "-v", "0")
    with django_assert_max_num_queries(5):
        out = run(str(GLS_PATH), "--json", "-v", "0")
    assert json.loads(out.strip().splitlines()[-1])["created"] is False
    assert Standard.objects.count() == 1
    assert Indicator.objects.count() == 50


@pytest.mark.django_db
def test_a_changed_file_with_the_same_version_is_added_beside_the_old(tmp_path):
    run(str(GLS_PATH), "-v", "0")
    old = Standard.objects.get()
    data = gls()
    data["components"][0]["criteria"][0]["indicators"][0]["text"] = "Reworded indicator text."
    out = run(str(write(tmp_path, data)), "--json")
    assert json.loads(out.strip().splitlines()[-1])["created"] is True
    assert Standard.objects.filter(version="1.1").count() == 2
    old_indicator = Indicator.objects.get(standard=old, number="1.1.1")
    assert old_indicator.text != "Reworded indicator text."
    assert Indicator.objects.filter(number="1.1.1", text="Reworded indicator text.").exclude(standard=old).exists()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("rating_scale"), "file: missing key 'rating_scale'"),
        (lambda d: d["standard"].pop("version"), "standard: missing key 'version'"),
        (lambda d: d["components"][0]["criteria"][0]["indicators"][0].pop("text"), "missing key 'text'"),
        (
            lambda d: d["components"][0]["criteria"][0]["indicators"][1].update(number="1.1.1"),
            "indicator 1.1.1: duplicate number '1.1.1'",
        ),
        (
            lambda d: d["components"][0]["criteria"][0]["indicators"][0].update(number="2.1.9"),
            "indicator 2.1.9: is listed under criterion 1.1, where it does not belong",
        ),
        (lambda d: d["components"][1].update(number="1"), "component 1: duplicate number '1'"),
        (lambda d: d["rating_scale"][1].update(code="meets"), "duplicate rating code 'meets'"),
    ],
)
@pytest.mark.django_db
def test_invalid_files_are_refused_with_a_clear_error(tmp_path, mutate, message):
    data = gls()
    mutate(data)
    with pytest.raises(CommandError) as err:
        run(str(write(tmp_path, data)))
    assert message in str(err.value)
    assert Standard.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_and_non_yaml_files(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("standard: [unclosed\n")
    with pytest.raises(CommandError, match="not valid YAML"):
        run(str(bad))
    assert Standard.objects.count() == 0


@pytest.mark.django_db
def test_standard_page_shows_the_tree_in_constant_queries(client, standard, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("standards:current"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Guarantee legitimacy and voice" in html
    assert "GLS-V1.1-4.3.2" in html
    assert "Means of verification" in html
    assert html.count('class="indicator-guidance"') == 50
    assert Component.objects.count() == 4 and Criterion.objects.count() == 17


@pytest.mark.django_db
def test_standard_page_without_a_standard(client):
    response = client.get(reverse("standards:current"))
    assert response.status_code == 200
    assert "No version of the Standard is loaded yet" in response.content.decode()


@pytest.mark.django_db
def test_standard_api_needs_a_login_and_gives_the_tree(api_client, standard, outsider):
    url = reverse("standard-detail", args=[standard.pk])
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(outsider)
    body = api_client.get(url).json()
    assert body["version"] == "1.1"
    assert [c["number"] for c in body["components"]] == ["1", "2", "3", "4"]
    assert sum(len(k["indicators"]) for c in body["components"] for k in c["criteria"]) == 50
    assert body["rating_scale"][0]["code"] == "meets"
    assert api_client.get(reverse("standard-list")).json()["count"] == 1
    assert api_client.post(reverse("standard-list"), {}).status_code == 405
