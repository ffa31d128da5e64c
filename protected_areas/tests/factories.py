import factory
from django.contrib.gis.geos import MultiPolygon, Polygon

from protected_areas.models import ProtectedArea


def square(lon: float, lat: float, size: float = 0.1) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat))), srid=4326
    )


class ProtectedAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtectedArea

    key = factory.Sequence(lambda n: f"wdpa:{900000 + n}")
    wdpa_id = factory.Sequence(lambda n: 900000 + n)
    wdpa_pid = factory.LazyAttribute(lambda o: str(o.wdpa_id))
    name = factory.Sequence(lambda n: f"Test Reserve {n}")
    iso3 = factory.LazyFunction(lambda: ["VNM"])
    parent_iso3 = factory.LazyFunction(lambda: ["VNM"])
    iucn_category = "IV"
    geom = factory.Sequence(lambda n: square(105 + (n % 50) * 0.2, 15 + (n // 50) * 0.2))
    geom_display = factory.LazyAttribute(lambda o: o.geom)
    area_km2 = 120.0
