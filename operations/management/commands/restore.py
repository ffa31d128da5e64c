import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.manifest import BackupError
from operations.restore import restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `backup`: checks it whole first (manifest, every file's SHA-256, schema "
        "version, an empty database), then restores the database and the files, verifies them and migrates forward."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup's folder")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")
        parser.add_argument("--json", action="store_true", help="end with a one-line JSON summary")

    def handle(self, *args, **options):
        try:
            report = restore(options["source"], force=options["force"])
        except BackupError as error:
            if options["json"]:
                self.stdout.write(json.dumps({"ok": False, "error": str(error)}))
            raise CommandError(str(error))
        self.stdout.write(f"Restored from {options['source']}. Checked:")
        for line in report.checked:
            self.stdout.write(f"  - {line}")
        if report.migrated:
            self.stdout.write(f"Migrated forward: {', '.join(report.migrated)}")
        self.stdout.write(f"Recorded as backup {report.backup_id} on the audit trail (event {report.audit_event}).")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json()))
