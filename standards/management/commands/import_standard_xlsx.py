from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.errors import DomainError
from standards import adapted_spreadsheets, spreadsheets
from standards.models import AdaptedIndicatorSet
from standards.spreadsheet_files import SpreadsheetInvalid


class Command(BaseCommand):
    help = (
        "Import an XLSX workbook as a new DRAFT version of the Standard (or, with --adapted-set, as a draft "
        "adapted set's adaptations), in the name of a member of the Standard Committee (or of the set's expert "
        "group). Nothing is saved unless the whole file is good; every problem is printed with its place."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version` names the draft's version label here, in place of Django's "print Django's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--by", required=True, help="E-mail of the person importing (their rules apply).")
        parser.add_argument("--version", dest="label", help="Version label of the new draft (default: the file's).")
        parser.add_argument("--adapted-set", type=int, help="Id of a draft adapted set whose adaptations to replace.")

    def handle(self, *args, path, by, label=None, adapted_set=None, **options):
        person = User.objects.filter(email__iexact=by, is_active=True).first()
        if person is None:
            raise CommandError(f"No active person with the e-mail {by}.")
        try:
            with open(path, "rb") as handle:
                if adapted_set is not None:
                    target = AdaptedIndicatorSet.objects.filter(pk=adapted_set).first()
                    if target is None:
                        raise CommandError(f"No adapted set {adapted_set}.")
                    result = adapted_spreadsheets.adapted_set_from_xlsx(target, handle, person)
                    self.stdout.write(f"Adapted set {target.pk} ({target}): {result.adapted} indicators adapted.")
                    return
                imported = spreadsheets.import_standard_xlsx(upload=handle, by=person, version=label)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except SpreadsheetInvalid as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(
                f"{path} was refused ({len(exc.problems)} problem(s)); nothing was saved:\n{lines}"
            ) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = imported.counts
        self.stdout.write(
            f"Created draft {imported.standard} (id {imported.standard.pk}): {counts.components} components, "
            f"{counts.criteria} criteria, {counts.indicators} indicators"
            + (f"; based on {imported.based_on} (id {imported.based_on.pk})." if imported.based_on else ".")
        )
