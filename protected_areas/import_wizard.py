"""The staff import wizard's preview: the file's columns with sample values, the mapping the import
would use, a dry run (created / updated / unchanged / repaired / rejected) and the likely duplicates
of areas already on the platform, computed by running the real import in a transaction that is then
rolled back. Staff then confirm, with a choice for each likely duplicate (keep both, skip the new
record, or let the existing area take the new record's identity and be updated by it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from core.errors import DomainError
from core.jobs import JobDone, Progress, job_create, job_run
from core.models import Job

from .importer.files import open_layer
from .importer.summary import ImportSummary
from .models import ProtectedArea

PREVIEW_JOB_KIND = "protected_area_import_preview"
SAMPLES = 3
SAMPLE_CHARS = 60
MAX_COLUMNS = 80
MAP_FEATURES = 200
DUPLICATES_SHOWN = 100
# Likely duplicates: the same WDPA id, or boundaries that touch with a name alike (trigram
# similarity) or a large shared area (half of the smaller boundary).
NAME_SIMILARITY = 0.3
OVERLAP_SHARE = 0.5


class _DryRun(Exception):
    """Raised to roll the preview's writes back."""


def layer_columns(path: Path, layer: str | None) -> list[dict[str, Any]]:
    """Each column of the layer with a few non-empty sample values (for the mapping drop-downs)."""
    ds, lyr = open_layer(path, layer)
    names = list(lyr.fields)[:MAX_COLUMNS]
    samples: dict[str, list[str]] = {name: [] for name in names}
    for n, feature in enumerate(lyr):
        if n >= 200 or all(len(v) >= SAMPLES for v in samples.values()):
            break
        for name in names:
            if len(samples[name]) >= SAMPLES:
                continue
            value = feature.get(name)
            text = "" if value is None else str(value).strip()
            if text and text not in samples[name]:
                samples[name].append(text[:SAMPLE_CHARS])
    del ds, lyr
    return [{"name": name, "samples": samples[name]} for name in names]


def _duplicates(first_new_id: int) -> list[dict[str, Any]]:
    sql = """
        SELECT n.key, n.name, n.wdpa_id, e.id, e.key, e.name, e.wdpa_id,
               similarity(lower(n.name), lower(e.name)) AS name_similarity,
               CASE WHEN n.geom IS NULL OR e.geom IS NULL THEN 0 ELSE
                 ST_Area(ST_Intersection(n.geom, e.geom)::geography)
                 / NULLIF(LEAST(ST_Area(n.geom::geography), ST_Area(e.geom::geography)), 0) END AS overlap
        FROM protected_areas_protectedarea n
        JOIN protected_areas_protectedarea e ON e.id < %(first)s AND (
              (n.wdpa_id IS NOT NULL AND e.wdpa_id = n.wdpa_id)
           OR (n.geom && e.geom AND ST_Intersects(n.geom, e.geom)))
        WHERE n.id >= %(first)s
        ORDER BY n.name, e.name
    """
    found = []
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first_new_id})
        for nkey, nname, nwdpa, eid, ekey, ename, ewdpa, similarity, overlap in cursor.fetchall():
            same_wdpa = nwdpa is not None and nwdpa == ewdpa
            if not (same_wdpa or similarity >= NAME_SIMILARITY or (overlap or 0) >= OVERLAP_SHARE):
                continue
            reasons = []
            if same_wdpa:
                reasons.append("same WDPA id")
            if similarity >= NAME_SIMILARITY:
                reasons.append("similar name")
            if overlap:
                reasons.append(f"boundaries overlap ({round(overlap * 100)}% of the smaller)")
            found.append(
                {
                    "incoming": {"key": nkey, "name": nname, "wdpa_id": nwdpa},
                    "existing": {"id": eid, "key": ekey, "name": ename, "wdpa_id": ewdpa},
                    "reasons": reasons,
                }
            )
    return found[:DUPLICATES_SHOWN]


def _preview_map(first_new_id: int, keys_seen: list[str]) -> dict[str, Any]:
    """New and updated areas' simplified boundaries as GeoJSON, for the preview map."""
    sql = """
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f), '[]'::json))
        FROM (SELECT json_build_object(
                'type', 'Feature',
                'geometry', ST_AsGeoJSON(coalesce(geom_display, point), 5)::json,
                'properties', json_build_object('name', name, 'new', id >= %(first)s)) AS f
              FROM protected_areas_protectedarea
              WHERE (id >= %(first)s OR key = ANY(%(keys)s)) AND coalesce(geom_display, point) IS NOT NULL
              ORDER BY id LIMIT %(limit)s) rows
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first_new_id, "keys": keys_seen, "limit": MAP_FEATURES})
        return cursor.fetchone()[0]


def import_preview(path: Path, *, layer: str | None, field_map: dict[str, str] | None, source: str) -> dict[str, Any]:
    """What importing the file would do, with nothing saved."""
    from .services import import_protected_areas

    result: dict[str, Any] = {"columns": layer_columns(path, layer), "field_map": field_map or {}}
    first_new_id = (ProtectedArea.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            summary: ImportSummary = import_protected_areas(path, layer=layer, field_map=field_map, source=source)
            outcome["summary"] = summary.as_dict()
            outcome["duplicates"] = _duplicates(first_new_id)
            touched = list(
                ProtectedArea.objects.filter(source=source, id__lt=first_new_id)
                .order_by("-updated_at")
                .values_list("key", flat=True)[:MAP_FEATURES]
            )
            outcome["map"] = _preview_map(first_new_id, touched)
            raise _DryRun
    except _DryRun:
        pass
    except DomainError as exc:
        # A mapping the file does not fit: the wizard shows the columns and asks for one.
        result["mapping_error"] = exc.message
        return result
    result.update(outcome)
    return result


def preview_job_start(*, user: Any, upload: Any, layer: str, field_map: dict[str, str], source: str) -> Job:
    return job_create(
        kind=PREVIEW_JOB_KIND,
        user=user,
        params={
            "file_name": Path(upload.name or "upload").name,
            "layer": layer or None,
            "field_map": field_map or {},
            "source": source or Path(upload.name or "upload").stem,
        },
        input_file=upload,
        input_name=Path(upload.name or "upload").name,
    )


def preview_job_run(job_id: int) -> Job:
    return job_run(
        job_id,
        kind=PREVIEW_JOB_KIND,
        work=_preview_work,
        unexpected="The preview stopped on an unexpected error ({error}). Nothing was saved.",
    )


def _preview_work(job: Job, progress: Progress) -> JobDone:
    from .services import _local_copy

    params = job.params
    with job.input_file.open("rb") as handle, _local_copy(handle, params["file_name"]) as path:
        return JobDone(
            result=import_preview(
                path, layer=params.get("layer"), field_map=params.get("field_map") or None, source=params["source"]
            )
        )


def remembered_mapping(source: str) -> dict[str, str]:
    """The column mapping staff last used for a data set of this name (remembered per source)."""
    job = (
        Job.objects.filter(kind__in=[PREVIEW_JOB_KIND, "protected_area_import"], params__source=source)
        .exclude(params__field_map={})
        .order_by("-created_at")
        .first()
    )
    return dict(job.params.get("field_map") or {}) if job else {}
