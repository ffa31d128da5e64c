import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import backup_write
from operations.manifest import BackupError


class Command(BaseCommand):
    help = (
        "Write one consistent backup to DEST (a new folder): the PostgreSQL dump, every stored file and a "
        "manifest with their SHA-256; then read it back to verify it."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="the backup's folder; must not exist yet")
        parser.add_argument(
            "--incremental-from",
            type=Path,
            default=None,
            help="an earlier backup: files it already holds are hard-linked instead of copied",
        )
        parser.add_argument("--json", action="store_true", help="end with a one-line JSON summary")

    def handle(self, *args, **options):
        try:
            run = backup_write(options["destination"], incremental_from=options["incremental_from"])
        except BackupError as error:
            if options["json"]:
                self.stdout.write(json.dumps({"ok": False, "error": str(error)}))
            raise CommandError(str(error))
        totals = run.manifest["totals"]
        self.stdout.write(
            f"Backup written to {run.destination}: {totals['rows']} rows in {totals['tables']} tables, "
            f"{totals['files']} files ({totals['bytes']} bytes, {totals['linked']} linked to the earlier backup)."
        )
        if run.verification.get("ok"):
            self.stdout.write(f"Verified: {run.verification['files']} files read back against their SHA-256.")
        else:
            self.stderr.write(f"Verification failed: {run.error}")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": run.verification.get("ok", False),
                        "destination": run.destination,
                        "kind": run.kind,
                        "status": run.status,
                        "backup_run": run.pk,
                        **totals,
                    }
                )
            )
        if not run.verification.get("ok"):
            raise CommandError(run.error)
