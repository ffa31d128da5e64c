"""The staff import wizard's preview: the file's columns with sample values, the mapping the import
would use, a dry run (created / updated / unchanged / repaired / rejected) and the likely duplicates
of areas already on the platform, computed by running the real import in a transaction that is then
rolled back. Staff then confirm, with a choice for each likely duplicate (keep both, skip the new
record, or let the existing area take the new record's identity and be updated by it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import DomainError
from core.jobs import JobDone, Progress, job_create, job_run
from core.models import Job

from . import error_codes
from .importer.files import FileLayer, OpenedFile, open_file
from .importer.summary import ImportSummary
from .models import ProtectedArea

PREVIEW_JOB_KIND = "protected_area_import_preview"
# What a layer must hold to be imported (importer.files.layer_holds): not a table, not lines.
LAYERS_TO_IMPORT = ("boundaries", "points", "any")
DUPLICATE_CHOICES = ("keep_both", "skip", "update")
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


def file_overview(opened: OpenedFile, layer: str | None) -> dict[str, Any]:
    """What the preview shows of the file itself: the read layer's columns with a few non-empty sample
    values (for the mapping drop-downs), the file's layers (`_layers`) and what a .zip held that could
    not be read."""
    read = opened.layer(layer)
    return {"columns": _columns(read.parts[0]), "layers": _layers(opened, read), "left_out": list(opened.left_out)}


def _columns(lyr: Any) -> list[dict[str, Any]]:
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
            # Codes, not words: the worker has no reader's language; the page words them (reason_labels).
            reasons = []
            if same_wdpa:
                reasons.append("same_wdpa")
            if similarity >= NAME_SIMILARITY:
                reasons.append("similar_name")
            if overlap:
                reasons.append("overlap")
            found.append(
                {
                    "incoming": {"key": nkey, "name": nname, "wdpa_id": nwdpa},
                    "existing": {"id": eid, "key": ekey, "name": ename, "wdpa_id": ewdpa},
                    "reasons": reasons,
                    "overlap_percent": round(overlap * 100) if overlap else None,
                    "name_similarity": round(similarity, 2),
                }
            )
    found = found[:DUPLICATES_SHOWN]
    _suggest_choices(found)
    return found


def _suggest_choices(found: list[dict[str, Any]]) -> None:
    """The choice each likely duplicate starts with. An existing area can take only one record's
    identity (and a record only one area's), so "update" is suggested once per area, for the record
    most like it (same WDPA id first, then the more alike name, then the larger overlap), and "keep
    both" for the others: a park and the wilderness inside it both look like the park."""
    ranked = sorted(
        found,
        key=lambda d: ("same_wdpa" in d["reasons"], d["name_similarity"], d["overlap_percent"] or 0),
        reverse=True,
    )
    areas_taken: set[int] = set()
    records_taken: set[str] = set()
    for d in ranked:
        area, record = d["existing"]["id"], d["incoming"]["key"]
        if area in areas_taken or record in records_taken:
            d["suggested"] = "keep_both"
        else:
            d["suggested"] = "update"
            areas_taken.add(area)
            records_taken.add(record)


def reason_labels(duplicate: dict[str, Any]) -> list[str]:
    """Why a record looks like an existing area, in the reader's language."""
    labels = []
    for reason in duplicate.get("reasons") or []:
        if reason == "same_wdpa":
            labels.append(_("same WDPA id"))
        elif reason == "similar_name":
            labels.append(_("similar name"))
        elif reason == "overlap":
            labels.append(
                _("boundaries overlap (%(percent)s%% of the smaller area)") % {"percent": duplicate["overlap_percent"]}
            )
        else:  # a preview made before reasons were codes
            labels.append(str(reason))
    return labels


@dataclass
class DuplicateDecisions:
    """What staff chose for the likely duplicates, as the import takes it."""

    skip: list[str] = field(default_factory=list)  # incoming keys not to import
    adopt: dict[str, str] = field(default_factory=dict)  # existing area id -> incoming key taking it over
    errors: list[str] = field(default_factory=list)


def duplicate_decisions(duplicates: list[dict[str, Any]], choices: list[str]) -> DuplicateDecisions:
    """Staff's choice for each likely duplicate (in the preview's order). Two records updating one
    area are refused: only one can take it over, and the other would silently become a second area
    (the park's record lost to the wilderness inside it)."""
    out = DuplicateDecisions()
    updated_by: dict[int, str] = {}
    updating: dict[str, str] = {}
    for duplicate, choice in zip(duplicates, choices, strict=True):
        incoming, existing = duplicate["incoming"], duplicate["existing"]
        if choice not in DUPLICATE_CHOICES:
            out.errors.append(_("Choose keep both, skip or update for %(name)s.") % {"name": incoming["name"]})
        elif choice == "skip":
            out.skip.append(incoming["key"])
        elif choice == "update":
            if existing["id"] in updated_by:
                out.errors.append(
                    _("Only one record can update %(area)s: you chose %(first)s and %(second)s.")
                    % {"area": existing["name"], "first": updated_by[existing["id"]], "second": incoming["name"]}
                )
            elif incoming["key"] in updating:
                out.errors.append(
                    _("%(name)s can update only one area: you chose %(first)s and %(second)s.")
                    % {"name": incoming["name"], "first": updating[incoming["key"]], "second": existing["name"]}
                )
            else:
                updated_by[existing["id"]] = incoming["name"]
                updating[incoming["key"]] = existing["name"]
                out.adopt[str(existing["id"])] = incoming["key"]
    return out


def _preview_map(first_new_id: int, keys_seen: list[str]) -> dict[str, Any]:
    """New and updated areas' simplified boundaries (or points) as GeoJSON, for the preview map, each
    with a `marker` inside it: where areas lie far apart the map is zoomed out too far to see them,
    and static/js/map.js draws the markers there."""
    sql = """
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f), '[]'::json))
        FROM (SELECT json_build_object(
                'type', 'Feature',
                'geometry', ST_AsGeoJSON(shape, 5)::json,
                'properties', json_build_object(
                    'name', name, 'new', id >= %(first)s,
                    'marker', ST_AsGeoJSON(ST_PointOnSurface(shape), 5)::json -> 'coordinates')) AS f
              FROM (SELECT id, name, coalesce(geom_display, point) AS shape FROM protected_areas_protectedarea
                    WHERE (id >= %(first)s OR key = ANY(%(keys)s)) AND coalesce(geom_display, point) IS NOT NULL
                    ORDER BY id LIMIT %(limit)s) areas) rows
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first_new_id, "keys": keys_seen, "limit": MAP_FEATURES})
        return cursor.fetchone()[0]


def _layers(opened: OpenedFile, read: FileLayer) -> list[dict[str, Any]]:
    """The layers of a file that has several (a WDPA geodatabase: boundaries, point-only sites,
    tables; its shapefile download: boundaries and points, each in three parts): name, what it
    holds, how many records (in all its parts), in how many parts, and whether the import reads it.
    Empty for a file of one layer in one part."""
    if len(opened.layers) < 2 and len(read.parts) < 2:
        return []
    return [
        {
            "name": lyr.name,
            "holds": lyr.holds,
            "records": lyr.records,
            "parts": len(lyr.parts),
            "read": lyr.name == read.name,
        }
        for lyr in opened.layers
    ]


def import_preview(path: Path, *, layer: str | None, field_map: dict[str, str] | None, source: str) -> dict[str, Any]:
    """What importing the file would do, with nothing saved. The file is opened once for its overview
    and the dry run (a WDPA download in parts was unpacked once for each)."""
    with open_file(path) as opened:
        return _preview_opened(path, opened, layer=layer, field_map=field_map, source=source)


def _preview_opened(
    path: Path, opened: OpenedFile, *, layer: str | None, field_map: dict[str, str] | None, source: str
) -> dict[str, Any]:
    from .services import import_protected_areas

    result: dict[str, Any] = {
        **file_overview(opened, layer),
        "field_map": field_map or {},
    }
    first_new_id = (ProtectedArea.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            summary: ImportSummary = import_protected_areas(
                path, layer=layer, field_map=field_map, source=source, opened=opened
            )
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
        # A mapping the file does not fit: the wizard shows the columns and asks for the fields
        # it could not find (all of them at once, so one more preview is enough).
        result["mapping_error"] = exc.message
        result["mapping_missing"] = list(exc.data.get("missing") or [])
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


def preview_other_layer(job: Job, *, user: Any, layer: str) -> Job:
    """A preview of another layer of the file a preview read (a WDPA download's point-only sites after
    its boundaries), from the file already uploaded: nobody sends a national download twice. The
    mapping is not carried over (another layer may have other columns); the data set's name is."""
    offered = {lyr["name"] for lyr in (job.result or {}).get("layers") or [] if lyr["holds"] in LAYERS_TO_IMPORT}
    if layer not in offered:
        raise DomainError(
            error_codes.IMPORT_LAYER_UNKNOWN,
            _("%(name)s has no layer '%(layer)s' to import.") % {"name": job.params["file_name"], "layer": layer},
        )
    with job.input_file.open("rb") as handle:
        return preview_job_start(
            user=user,
            upload=File(handle, name=job.params["file_name"]),
            layer=layer,
            field_map={},
            source=job.params["source"],
        )


def preview_job_run(job_id: int) -> Job:
    return job_run(
        job_id,
        kind=PREVIEW_JOB_KIND,
        work=_preview_work,
        # Translated into the job's language when the preview fails (core.jobs).
        unexpected=gettext_noop("The preview stopped on an unexpected error ({error}). Nothing was saved."),
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
