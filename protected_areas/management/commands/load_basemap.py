from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from protected_areas.basemap import BASEMAP_FILE, basemap_load


class Command(BaseCommand):
    help = "Load the platform's own base map (Natural Earth countries) into PostGIS; nothing changes when it is loaded."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(BASEMAP_FILE))

    def handle(self, *args, path, **options):
        if not Path(path).is_file():
            raise CommandError(f"No base map file at {path}.")
        loaded = basemap_load(Path(path))
        if options["verbosity"] > 0:
            self.stdout.write(f"Base map: {loaded} countries loaded." if loaded else "Base map: already loaded.")
