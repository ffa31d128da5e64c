"""`manage.py erase_person EMAIL`: replace a person's identity with their pseudonym everywhere (accounts.erasure)."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.erasure import erase_person
from accounts.models import User
from core.errors import DomainError


class Command(BaseCommand):
    help = "Erase a person: their name and e-mail become a stable pseudonym everywhere; the erasure is audited."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person's e-mail address")
        parser.add_argument("--by", help="the administrator's e-mail address (recorded in the audit trail)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, **options):
        person = User.objects.filter(email__iexact=options["email"].strip()).first()
        if person is None:
            raise CommandError(f"No person has the e-mail address {options['email']!r}.")
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"].strip(), is_superuser=True).first()
            if by is None:
                raise CommandError(f"{options['by']!r} is not an administrator.")
        if not options["yes"] and input(f"Erase {person.email}? This cannot be undone. [y/N] ").lower() != "y":
            raise CommandError("Nothing erased.")
        try:
            result = erase_person(person=person, by=by)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.__dict__))
        else:
            self.stdout.write(
                f"Erased: now {result.pseudonym}; {result.values_rewritten} values rewritten, "
                f"{result.audit_events_redacted} audit events redacted (erasure event {result.event_id})."
            )
