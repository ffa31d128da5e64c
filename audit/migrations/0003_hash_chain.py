from django.db import migrations, models

# The trigger of 0002 refused every UPDATE. It now lets exactly two through (audit.chain):
# - sealing: a row without a chain hash gets its seq, salt, content hash and chain hash, once,
#   everything else unchanged;
# - redaction for an erasure: a sealed row's target_repr and data are rewritten (a pseudonym for a
#   name), its salt is emptied and redacted_by_event set; its seq and hashes stay, so the chain still
#   verifies and the erasure event (itself chained) names every row it redacted.
# DELETE and any other UPDATE still raise.
GUARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id AND NEW.created_at = OLD.created_at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.action = OLD.action
       AND NEW.target_type_id = OLD.target_type_id AND NEW.target_id = OLD.target_id THEN
        IF OLD.chain_hash = '' AND NEW.chain_hash <> '' AND NEW.seq IS NOT NULL
           AND NEW.target_repr = OLD.target_repr AND NEW.data = OLD.data
           AND NEW.redacted_by_event IS NULL AND OLD.redacted_by_event IS NULL THEN
            RETURN NEW;
        END IF;
        IF OLD.chain_hash <> '' AND NEW.chain_hash = OLD.chain_hash AND NEW.seq = OLD.seq
           AND NEW.content_hash = OLD.content_hash AND NEW.content_salt = ''
           AND NEW.redacted_by_event IS NOT NULL
           AND NEW.redacted_by_event IS DISTINCT FROM OLD.redacted_by_event THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
STRICT = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_salt",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="redacted_by_event",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(GUARD, STRICT),
    ]
