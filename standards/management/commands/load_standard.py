import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from standards.services import StandardFileInvalid, standard_load


class Command(BaseCommand):
    help = "Load a version of the Green List Standard from a YAML file (idempotent; never overwrites)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="End with one JSON line of counts.")

    def handle(self, *args, path, **options):
        try:
            result = standard_load(path)
        except StandardFileInvalid as exc:
            raise CommandError(f"{path} is not a valid Standard file:\n  - " + "\n  - ".join(exc.problems)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] > 0:
            verb = "Loaded" if result.created else "Already loaded (unchanged)"
            self.stdout.write(
                f"{verb}: {result.standard} — {result.components} components, "
                f"{result.criteria} criteria, {result.indicators} indicators"
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
