from django.core.management.base import BaseCommand, CommandError

from core.health import run_checks


class Command(BaseCommand):
    help = "Check that PostgreSQL, PostGIS and Redis answer (and, with --worker, a Celery worker)."

    def add_arguments(self, parser):
        parser.add_argument("--worker", action="store_true", help="also require a Celery worker")

    def handle(self, *args, worker=False, **options):
        results = run_checks(include_worker=worker)
        for r in results:
            mark = "ok" if r.ok else "FAILED"
            self.stdout.write(f"{r.name:14} {mark:7} {r.detail}")
        failed = [r for r in results if not r.ok]
        if failed:
            hints = {
                "database": "start PostgreSQL or fix DATABASE_URL",
                "postgis": "install PostGIS and CREATE EXTENSION postgis in the database",
                "redis": "start Redis or fix REDIS_URL",
                "celery_worker": "start a worker: celery -A greenlist worker",
            }
            raise CommandError("; ".join(f"{r.name}: {hints[r.name]}" for r in failed))
