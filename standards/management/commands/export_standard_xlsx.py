from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from standards import adapted_spreadsheets, spreadsheets
from standards.models import AdaptedIndicatorSet, Standard


class Command(BaseCommand):
    help = "Write a version of the Standard (or, with --adapted-set, an adapted set) as an XLSX workbook."

    def add_arguments(self, parser):
        parser.add_argument("out", help="The .xlsx file to write.")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--version-id", type=int, help="Id of the Standard version (draft or published).")
        group.add_argument("--adapted-set", type=int, help="Id of the adapted set.")

    def handle(self, *args, out, version_id=None, adapted_set=None, **options):
        if adapted_set is not None:
            target = (
                AdaptedIndicatorSet.objects.select_related("standard", "jurisdiction").filter(pk=adapted_set).first()
            )
            if target is None:
                raise CommandError(f"No adapted set {adapted_set}.")
            data, what = adapted_spreadsheets.adapted_set_to_xlsx(target), f"adapted set {target.pk} ({target})"
        else:
            standard = Standard.objects.filter(pk=version_id).first()
            if standard is None:
                raise CommandError(f"No Standard version with id {version_id}.")
            data, what = spreadsheets.standard_to_xlsx(standard), str(standard)
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from exc
        self.stdout.write(f"Wrote {what} to {out} ({len(data)} bytes).")
