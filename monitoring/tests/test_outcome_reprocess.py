"""Processing a failed dataset again from the outcome page (issue 19): the button the API's
POST …/process/ had no page for. Who may press it is the permission matrix's (tests/permissions)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from monitoring.models import MonitoringDataset

pytestmark = pytest.mark.django_db


def test_the_site_team_processes_a_failed_dataset_again_from_the_outcome_page(
    client, area, site_manager, django_capture_on_commit_callbacks
):
    # given a dataset whose reading failed, and one that is ready
    failed = MonitoringDataset.objects.create(
        area=area,
        kind="camtrap",
        title="Cameras 2024",
        status="failed",
        created_by=site_manager,
        problems=[{"file": "deployments.csv", "row": 3, "column": "latitude", "message": "not a number"}],
    )
    ready = MonitoringDataset.objects.create(
        area=area, kind="forest", title="Forest", status="ready", created_by=site_manager
    )
    client.force_login(site_manager)
    page_url = reverse("monitoring:outcomes", args=[area.pk])
    process_url = reverse("monitoring:dataset-process", args=[area.pk, failed.pk])

    # the failed one has the button, with its problems; the ready one has none
    html = client.get(page_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'action="{process_url}"' in html and "Traiter à nouveau" in html
    assert reverse("monitoring:dataset-process", args=[area.pk, ready.pk]) not in html
    # and says it could not be read, not that its values come "once it has been read in full" (never)
    assert "Le jeu de données n’a pas pu être lu : aucune valeur n’est affichée." in html.replace("\xa0", " ")
    assert "une fois le jeu de données entièrement lu" not in html

    # when the team presses it
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(process_url, HTTP_ACCEPT_LANGUAGE="en")

    # then back at the dataset, told so; the dataset is being read, once, and the request is audited
    assert response.status_code == 302 and response["Location"] == f"{page_url}#dataset-{failed.pk}"
    failed.refresh_from_db()
    assert failed.status == "processing"
    assert len(queued) == 1  # the worker's message, sent once the transaction commits
    assert AuditEvent.objects.filter(action="monitoring_dataset.reprocess", target_id=str(failed.pk)).count() == 1
    shown = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Processing again: the values are shown once a worker has read the files." in shown
    assert process_url not in shown  # no button while it is read

    # a second press while it is read is refused with the reason, and nothing more is done
    again = client.post(process_url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "The dataset is being processed; wait for the result." in again.content.decode()
    assert AuditEvent.objects.filter(action="monitoring_dataset.reprocess").count() == 1


def test_a_dataset_of_another_area_is_not_found_through_this_one(client, area, other_area, site_manager, staff):
    elsewhere = MonitoringDataset.objects.create(
        area=other_area, kind="camtrap", title="Elsewhere", status="failed", created_by=staff
    )
    client.force_login(staff)
    response = client.post(reverse("monitoring:dataset-process", args=[area.pk, elsewhere.pk]))
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "failed"
