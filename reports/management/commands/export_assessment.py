from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports.package import build_package, package_bytes


class Command(BaseCommand):
    help = "Write one assessment as a versioned JSON package (answers, evidence metadata, findings, scores)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, assessment_id, output=None, **options):
        assessment = (
            Assessment.objects.select_related("protected_area", "standard", "adapted_set__jurisdiction")
            .filter(pk=assessment_id)
            .first()
        )
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        data = package_bytes(build_package(assessment))
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stderr.write(f"Wrote {len(data):,} bytes to {output}.")
        else:
            self.stdout.write(data.decode("utf-8"))
