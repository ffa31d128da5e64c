import pytest

from core.workflow import ImpossibleMove
from monitoring import workflow
from monitoring.choices import DatasetStatus
from monitoring.models import MonitoringDatasetTransition

from .factories import MonitoringDatasetFactory


@pytest.mark.django_db
def test_dataset_moves_are_logged_and_ready_cannot_jump_to_failed():
    dataset = MonitoringDatasetFactory()
    workflow.transition(dataset, DatasetStatus.PROCESSING)
    workflow.transition(dataset, DatasetStatus.READY)
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.READY
    log = list(MonitoringDatasetTransition.objects.filter(dataset=dataset).values_list("from_status", "to_status"))
    assert log == [("received", "processing"), ("processing", "ready")]
    with pytest.raises(ImpossibleMove):
        workflow.transition(dataset, DatasetStatus.FAILED)
