# Issue 13: the facts and duplicate links move from the `evidence_processing` app into `evidence`,
# keeping their tables (db_table) and rows.
#
# An existing database has the tables already (made by evidence_processing's migrations, which no
# longer run: that app left INSTALLED_APPS); a fresh one does not. So each model is added to this
# app's state always, and its table created only when it is missing (`CreateModelIfMissing`). Then
# the steps of evidence_processing 0002 are replayed, as they are idempotent, for a database that
# had not run it yet, and the content types are renamed so permissions and audit rows keep pointing
# at the same models.

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import evidence.storage
from django.db import migrations, models

OLD_APP = "evidence_processing"
MOVED = ("evidencefacts", "duplicatelink")
FACTS_TABLE = "evidence_processing_evidencefacts"


class CreateModelIfMissing(migrations.CreateModel):
    """CreateModel whose table is created only when the database has none of that name (kept from
    the app the model came from); the model's state is added either way. Backwards it drops nothing:
    the rows may be the ones the old app wrote."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table in schema_editor.connection.introspection.table_names():
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Create model {self.name} unless its table exists"


def forget_other_site_flags(apps, schema_editor):
    """evidence_processing 0002, again (a no-op where it ran): items flagged "same file as another
    site's evidence" keep only what their own site may know."""
    EvidenceFacts = apps.get_model("evidence", "EvidenceFacts")
    DuplicateLink = apps.get_model("evidence", "DuplicateLink")
    flagged = EvidenceFacts.objects.filter(duplicate="other_site")
    same = DuplicateLink.objects.filter(same_site=True).values("item_id")
    flagged.filter(item_id__in=same).update(duplicate="same_site")
    flagged.update(duplicate="")


def rename_content_types(apps, schema_editor):
    """The moved models' content types change app (same rows, same ids), so permissions, audit rows
    and any generic reference keep pointing at them. A row already made for the new app (only if
    Django's post_migrate ran in between) is left as it is, and so is the old one."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="evidence", model=model).exists():
            ContentType.objects.filter(app_label=OLD_APP, model=model).update(app_label="evidence")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=OLD_APP, model=model).exists():
            ContentType.objects.filter(app_label="evidence", model=model).update(app_label=OLD_APP)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('evidence', '0002_indexes_for_pipeline'),
    ]

    operations = [
        CreateModelIfMissing(
            name='EvidenceFacts',
            fields=[
                ('item', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='facts', serialize=False, to='evidence.evidenceitem')),
                ('kind', models.CharField(choices=[('unknown', 'Not yet known'), ('image', 'Image'), ('pdf', 'PDF document'), ('office', 'Office document'), ('text', 'Text'), ('geodata', 'Geodata'), ('raster', 'Raster'), ('camera_trap', 'Camera-trap package'), ('archive', 'Archive'), ('rejected', 'Rejected')], default='unknown', max_length=12)),
                ('mime_type', models.CharField(blank=True, max_length=120, verbose_name='sniffed type')),
                ('description', models.CharField(blank=True, max_length=300, verbose_name='what libmagic says')),
                ('page_count', models.PositiveIntegerField(blank=True, null=True)),
                ('text', models.TextField(blank=True, verbose_name='extracted text')),
                ('search', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('captured_at', models.DateTimeField(blank=True, null=True)),
                ('camera_make', models.CharField(blank=True, max_length=120)),
                ('camera_model', models.CharField(blank=True, max_length=120)),
                ('width', models.PositiveIntegerField(blank=True, null=True)),
                ('height', models.PositiveIntegerField(blank=True, null=True)),
                ('position', django.contrib.gis.db.models.fields.PointField(blank=True, null=True, srid=4326)),
                ('geometry', django.contrib.gis.db.models.fields.GeometryCollectionField(blank=True, null=True, srid=4326)),
                ('feature_count', models.PositiveIntegerField(blank=True, null=True)),
                ('location_check', models.CharField(choices=[('inside', 'Inside the site'), ('outside', 'Outside the site'), ('none', 'No location')], default='none', max_length=8)),
                ('distance_km', models.FloatField(blank=True, help_text='0 when inside or touching the boundary.', null=True)),
                ('in_period', models.BooleanField(blank=True, help_text='Date inside the assessment period.', null=True)),
                ('duplicate', models.CharField(blank=True, choices=[('', 'Not a duplicate'), ('same_site', 'Same file already evidence of this site')], default='', max_length=12)),
                ('thumbnail', models.FileField(blank=True, max_length=300, storage=evidence.storage.evidence_storage, upload_to='')),
                ('display', models.FileField(blank=True, max_length=300, storage=evidence.storage.evidence_storage, upload_to='', verbose_name='display copy without metadata')),
                ('raster_stats', models.JSONField(blank=True, null=True)),
                ('camera_trap', models.JSONField(blank=True, null=True)),
                ('details', models.JSONField(blank=True, default=dict, help_text='Other facts (layers, EXIF extras).')),
                ('error_code', models.CharField(blank=True, max_length=40)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('claim_task', models.CharField(blank=True, max_length=64)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
            ],
            options={
                'db_table': 'evidence_processing_evidencefacts',
                'verbose_name_plural': 'evidence facts',
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['search'], name='facts_search_gin')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['unknown', 'image', 'pdf', 'office', 'text', 'geodata', 'raster', 'camera_trap', 'archive', 'rejected'])), name='facts_kind_valid'), models.CheckConstraint(condition=models.Q(('location_check__in', ['inside', 'outside', 'none'])), name='facts_location_valid'), models.CheckConstraint(condition=models.Q(('duplicate__in', ['', 'same_site'])), name='facts_duplicate_valid'), models.CheckConstraint(condition=models.Q(('distance_km__isnull', True), ('distance_km__gte', 0), _connector='OR'), name='facts_distance_positive')],
            },
        ),
        CreateModelIfMissing(
            name='DuplicateLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('same_site', models.BooleanField()),
                ('found_at', models.DateTimeField(auto_now_add=True)),
                ('duplicate_of', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evidence.evidenceitem')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='duplicate_links', to='evidence.evidenceitem')),
            ],
            options={
                'db_table': 'evidence_processing_duplicatelink',
                'constraints': [models.UniqueConstraint(fields=('item', 'duplicate_of'), name='duplicate_link_unique'), models.CheckConstraint(condition=models.Q(('item', models.F('duplicate_of')), _negated=True), name='duplicate_link_not_self')],
            },
        ),
        migrations.RunPython(forget_other_site_flags, migrations.RunPython.noop),
        # The check as evidence_processing 0002 left it, whether or not that migration ran here.
        migrations.RunSQL(
            f"ALTER TABLE {FACTS_TABLE} DROP CONSTRAINT IF EXISTS facts_duplicate_valid; "
            f"ALTER TABLE {FACTS_TABLE} ADD CONSTRAINT facts_duplicate_valid CHECK (duplicate IN ('', 'same_site'))",
            migrations.RunSQL.noop,
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
