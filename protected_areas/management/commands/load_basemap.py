from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from protected_areas.basemap import BASEMAP_FILE, PLACES_FILE, basemap_load


class Command(BaseCommand):
    help = (
        "Load the platform's own base map (Natural Earth countries and cities) into PostGIS; "
        "nothing changes when it is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(BASEMAP_FILE), help="the countries (GeoJSON)")
        parser.add_argument("--places", default=str(PLACES_FILE), help="the cities (GeoJSON points with a name)")

    def handle(self, *args, path, places, **options):
        for file in (path, places):
            if not Path(file).is_file():
                raise CommandError(f"No base map file at {file}.")
        countries, cities = basemap_load(Path(path), Path(places))
        if options["verbosity"] > 0:
            if countries or cities:
                self.stdout.write(f"Base map: {countries} countries and {cities} cities loaded.")
            else:
                self.stdout.write("Base map: already loaded.")
