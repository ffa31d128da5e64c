import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import rules
from accounts.models import User
from core.errors import DomainError
from reports.services import assessment_import


class Command(BaseCommand):
    help = "Import an assessment package written by export_assessment (on this or another instance)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", help="E-mail of the IUCN staff member recorded as importer (default: the first administrator)."
        )

    def handle(self, *args, file, user=None, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
            data = json.loads(raw)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file} is not JSON: {exc}.")
        importer = self._importer(user)
        try:
            assessment = assessment_import(data=data, user=importer, raw=raw)
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]")
        self.stdout.write(
            f"Imported as assessment {assessment.pk}: {assessment.protected_area}, cycle {assessment.cycle} "
            f"({assessment.get_status_display()})."
        )

    def _importer(self, email):
        if email:
            person = User.objects.filter(email__iexact=email, is_active=True).first()
            if person is None or not rules.can_import_assessment(person):
                raise CommandError(f"{email} is not an active IUCN staff member here.")
            return person
        for person in User.objects.filter(is_active=True).order_by("id"):
            if rules.is_administrator(person):
                return person
        raise CommandError("No administrator exists here: name an IUCN staff member with --user.")
