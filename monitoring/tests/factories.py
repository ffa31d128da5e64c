import factory

from monitoring.choices import DatasetKind
from monitoring.models import MonitoringDataset
from protected_areas.tests.factories import ProtectedAreaFactory


class MonitoringDatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringDataset

    area = factory.SubFactory(ProtectedAreaFactory)
    kind = DatasetKind.CAMTRAP
    title = factory.Sequence(lambda n: f"Cámaras {n}")
