"""The Standard becomes data its keepers edit (issue 14): drafts and published versions,
translations per row, related SDGs, guidance, a wording marker, a lineage per indicator, and
means of verification as a list. Existing versions stay published, with the same content."""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import standards.models


def forwards(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    Indicator = apps.get_model("standards", "Indicator")
    AdaptedIndicator = apps.get_model("standards", "AdaptedIndicator")
    for standard in Standard.objects.all():
        standard.published_at = standard.loaded_at
        standard.save(update_fields=["published_at"])
    for indicator in Indicator.objects.select_related("standard"):
        indicator.lineage = f"{indicator.standard.code}-{indicator.number}"
        indicator.means_of_verification = _lines(indicator.mov_text)
        indicator.save(update_fields=["lineage", "means_of_verification"])
    for adapted in AdaptedIndicator.objects.all():
        adapted.means_of_verification = _lines(adapted.mov_text)
        adapted.save(update_fields=["means_of_verification"])


def backwards(apps, schema_editor):
    for name in ("Indicator", "AdaptedIndicator"):
        for row in apps.get_model("standards", name).objects.all():
            row.mov_text = "\n".join(row.means_of_verification or [])
            row.save(update_fields=["mov_text"])


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="standard",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")], default="published", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="standard",
            name="based_on",
            field=models.ForeignKey(
                blank=True,
                help_text="The version it was drafted from.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="standards.standard",
            ),
        ),
        migrations.AddField(
            model_name="standard",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="standard",
            name="published_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
        migrations.AddField(
            model_name="standard",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(model_name="standard", name="revision", field=models.PositiveIntegerField(default=1)),
        migrations.AlterField(
            model_name="standard", name="source_sha256", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.AddField(
            model_name="standard",
            name="translations",
            field=models.JSONField(blank=True, default=standards.models.translations_default),
        ),
        migrations.AddField(
            model_name="component",
            name="translations",
            field=models.JSONField(blank=True, default=standards.models.translations_default),
        ),
        migrations.AddField(
            model_name="criterion",
            name="translations",
            field=models.JSONField(blank=True, default=standards.models.translations_default),
        ),
        migrations.AddField(
            model_name="indicator",
            name="translations",
            field=models.JSONField(blank=True, default=standards.models.translations_default),
        ),
        migrations.AddField(model_name="indicator", name="guidance", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="indicator",
            name="sdgs",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.PositiveSmallIntegerField(),
                blank=True,
                default=list,
                help_text="Related SDGs (1-17).",
                size=None,
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="wording",
            field=models.CharField(
                choices=[
                    ("official", "Official text"),
                    ("paraphrase", "Topic known, in the platform's words"),
                    ("pending", "Wording pending the official text"),
                ],
                default="paraphrase",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="lineage",
            field=models.CharField(default="", max_length=80),
            preserve_default=False,
        ),
        migrations.RenameField(model_name="indicator", old_name="means_of_verification", new_name="mov_text"),
        migrations.AddField(
            model_name="indicator",
            name="means_of_verification",
            field=models.JSONField(blank=True, default=list, help_text="A list of means of verification."),
        ),
        migrations.RenameField(model_name="adaptedindicator", old_name="means_of_verification", new_name="mov_text"),
        migrations.AddField(
            model_name="adaptedindicator",
            name="means_of_verification",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="adaptedindicator",
            name="translations",
            field=models.JSONField(blank=True, default=standards.models.translations_default),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="indicator", name="mov_text"),
        migrations.RemoveField(model_name="adaptedindicator", name="mov_text"),
        migrations.AddConstraint(
            model_name="standard",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "published"])), name="standard_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="standard",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "draft"), ("published_at__isnull", False), _connector="OR"),
                name="standard_published_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(fields=("standard", "lineage"), name="indicator_lineage_unique"),
        ),
    ]
