import json

from django.core.management.base import BaseCommand, CommandError

from greenlist.demo import DEMO_PASSWORD, demo_load, demo_logins


class Command(BaseCommand):
    help = "Load the demo data set (public-domain areas, one login per role). Idempotent; never in production."

    def add_arguments(self, parser):
        parser.add_argument("--list-logins", action="store_true", help="only print the demo logins")

    def handle(self, *args, list_logins=False, **options):
        if list_logins:
            for email, role in demo_logins():
                self.stdout.write(f"    {role:34} {email}")
            return
        try:
            result = demo_load()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            self.stdout.write(json.dumps(result))
            self.stdout.write(f"demo password for every login: {DEMO_PASSWORD}")
