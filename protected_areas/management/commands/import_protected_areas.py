"""Load protected areas from a GeoJSON, GeoPackage, Shapefile (plain or zipped), KML or KMZ file or Esri
File Geodatabase (the .gdb folder, or zipped), or the WDPA's shapefile download as it came (three parts in
one .zip): the formats of importer.files."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import DomainError
from protected_areas.importer.files import open_file
from protected_areas.services import import_protected_areas


def _parse_map(values: list[str]) -> dict[str, str]:
    """`--map name=unit_name --map key=unit_code` or `--map name=unit_name,key=unit_code`."""
    mapping = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            target, sep, column = pair.partition("=")
            if not sep or not target.strip() or not column.strip():
                raise CommandError(f"--map expects FIELD=COLUMN, got {pair!r}.")
            mapping[target.strip()] = column.strip()
    return mapping


class Command(BaseCommand):
    help = (
        "Import (upsert) protected areas from a file. WDPA files (legacy and 2025+ schema) need no mapping; "
        "other data sets name their columns with --map name=COLUMN --map key=COLUMN. Exits non-zero only "
        "when the file cannot be read; rejected features are listed with their reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--layer",
            help=(
                "Layer to read (GeoPackage, geodatabase, or a .zip holding several files). Without it, the first "
                "layer of boundaries: a WDPA geodatabase's point-only sites are its other layer."
            ),
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Map a field to a column of the file (key, name, iso3, designation, iucn_category, ...).",
        )
        parser.add_argument("--source", help="Name of the data set (prefix of non-WDPA identities).")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON on the last line.")
        parser.add_argument(
            "--layers",
            action="store_true",
            help="List the file's layers (what each holds, how many records, in how many parts) and import nothing.",
        )

    def handle(self, *args, **options):
        if options["layers"]:
            self._list_layers(options["path"])
            return
        field_map = _parse_map(options["map"])
        bar = None
        show_bar = sys.stderr.isatty()

        def progress(done, total):
            nonlocal bar
            if not show_bar:
                return
            if bar is None:
                bar = tqdm(total=total, unit="features", desc="Importing", file=sys.stderr)
            bar.update(done - bar.n)

        try:
            summary = import_protected_areas(
                options["path"],
                layer=options["layer"],
                field_map=field_map or None,
                source=options["source"],
                progress=progress,
            )
        except DomainError as exc:
            missing = (exc.data or {}).get("missing") or []
            hint = " ".join(f"--map {target}=COLUMN" for target in missing)
            raise CommandError(f"{exc.message} Name them with {hint}." if hint else exc.message)
        finally:
            if bar is not None:
                bar.close()
        data = summary.as_dict()
        out = self.stdout
        out.write(
            f"Layer {summary.layer}: {data['created']} created, {data['updated']} updated, "
            f"{data['unchanged']} unchanged, {data['repaired']} repaired, {data['rejected']} rejected."
        )
        for error in data["errors"]:
            out.write(f"  feature {error['feature']}: {error['reason']}")
        if summary.rejected > len(data["errors"]):
            out.write(f"  ... and {summary.rejected - len(data['errors'])} more rejected features.")
        if options["json"]:
            out.write(json.dumps(data, ensure_ascii=False))

    def _list_layers(self, path: str) -> None:
        try:
            with open_file(Path(path)) as opened:
                default = opened.layer(None).name
                for lyr in opened.layers:
                    parts = f" in {len(lyr.parts)} parts" if len(lyr.parts) > 1 else ""
                    read = "  (read without --layer)" if lyr.name == default else ""
                    self.stdout.write(f"{lyr.name}: {lyr.holds}, {lyr.records} records{parts}{read}")
        except DomainError as exc:
            raise CommandError(exc.message)
