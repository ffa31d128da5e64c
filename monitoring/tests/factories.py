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


def make_outcome_indicator():
    """Indicator 4.1.1 "Natural values" of a one-component test Standard: what monitoring data is linked
    to as outcome evidence (the review page's line beside it)."""
    from reviews.tests import factories as review_factories
    from standards.models import Component, Criterion, Indicator

    standard = review_factories.make_standard(1)
    component = Component.objects.create(standard=standard, number="4", title="Outcomes", position=4)
    criterion = Criterion.objects.create(component=component, number="4.1", title="Natural values", position=1)
    return Indicator.objects.create(
        criterion=criterion, standard=standard, code="x-4.1.1", number="4.1.1", title="Natural values",
        text="Natural values conserved.", lineage="x-4.1.1", position=2,
    )  # fmt: skip
