import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.selectors import audit_events_for
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_events_are_recorded_and_read_back_per_object(staff, area):
    audit_record(actor=staff, action="test.touched", target=area, data={"why": "test"})
    events = list(audit_events_for(area))
    assert [(e.action, e.actor, e.data) for e in events] == [("test.touched", staff, {"why": "test"})]


def test_the_orm_cannot_change_or_delete_an_event(staff, area):
    event = audit_record(actor=staff, action="test.touched", target=area)
    event.action = "rewritten"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_the_database_refuses_update_and_delete_even_in_raw_sql(staff, area):
    event = audit_record(actor=staff, action="test.touched", target=area)
    for sql in ["UPDATE audit_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.touched"


def test_queryset_update_is_refused_by_the_database(staff, area):
    audit_record(actor=staff, action="test.touched", target=area)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="rewritten")


def test_admin_shows_the_trail_read_only(client, admin_user, area):
    from accounts.tests.factories import DEFAULT_PASSWORD

    event = audit_record(actor=admin_user, action="test.touched", target=area)
    client.login(username=admin_user.email, password=DEFAULT_PASSWORD)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    response = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
