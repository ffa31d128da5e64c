"""The cheaper flush between committing tests (tests/flush.py) leaves what Django's own would leave."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import Role, make_user
from protected_areas.tests.factories import ProtectedAreaFactory
from reviews.tests.factories import submitted_assessment


def tables_holding_rows() -> list[str]:
    with connection.cursor() as cursor:
        found = []
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            # the names are Django's own tables, quoted
            cursor.execute(f"SELECT EXISTS (SELECT FROM {connection.ops.quote_name(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_the_flush_empties_every_table_and_django_fills_content_types_again(transactional_db):
    # given rows in many tables, linked to each other (an area, its manager, a standard, a submitted
    # assessment with its evidence, the audit trail)
    area = ProtectedAreaFactory()
    manager = make_user(Role.SITE_MANAGER, protected_area=area)
    submitted_assessment(area=area, manager=manager, staff=make_user(Role.IUCN_STAFF), n_indicators=2)
    before = tables_holding_rows()
    # (among them the audit trail, which refuses DELETE, and tables whose triggers write elsewhere on delete)
    assert {"protected_areas_protectedarea", "evidence_evidenceitem", "audit_auditevent"} <= set(before)
    assert len(before) > 15

    # when the database is flushed as after a committing test (Django's TransactionTestCase asks so)
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    # then nothing is left but what post_migrate makes again, as with Django's own flush
    assert set(tables_holding_rows()) == {"django_content_type", "auth_permission"}
    assert ContentType.objects.filter(app_label="assessments", model="assessment").exists()
    assert Permission.objects.filter(codename="view_assessment").exists()
