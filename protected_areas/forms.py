from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .importer.columns import MAPPABLE

UPLOAD_SUFFIXES = (".zip", ".geojson", ".json", ".gpkg", ".kml", ".kmz")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "GeoJSON, GeoPackage, KML or KMZ, or one .zip holding a Shapefile (with its .shx, .dbf and .prj) or an "
            "Esri File Geodatabase (its .gdb folder). A WDPA download as it came: the geodatabase, or the shapefile "
            "download with its three parts."
        ),
    )
    layer = forms.CharField(
        label=_("Layer"),
        required=False,
        max_length=200,
        help_text=_(
            "Only for files with several layers. Left empty, the first layer of boundaries is read: a WDPA "
            "download keeps its sites known only as points in another layer."
        ),
    )
    field_map = forms.CharField(
        label=_("Column mapping"),
        required=False,
        max_length=1000,
        help_text=_(
            "Not needed for WDPA files, nor with the preview, which offers the file's columns to choose from. "
            "Otherwise, for example: name=unit_name, key=unit_code"
        ),
    )
    preview = forms.BooleanField(
        label=_("Preview first"),
        required=False,
        initial=True,
        help_text=_("See the columns, what would change and likely duplicates before anything is saved."),
    )
    source = forms.CharField(
        label=_("Data set name"),
        required=False,
        max_length=100,
        help_text=_("Defaults to the file name; keeps identities stable across releases."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix == ".shp":
            raise forms.ValidationError(
                _("A shapefile is several files (.shp, .shx, .dbf, .prj): put them in one .zip and upload that.")
            )
        if suffix == ".gdb":
            raise forms.ValidationError(
                _("A File Geodatabase is a folder of files: put the .gdb folder in one .zip and upload that.")
            )
        if suffix not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                _(
                    "Unsupported file type %(suffix)s: use .geojson, .gpkg, .kml, .kmz, or a .zip of a shapefile or "
                    "a geodatabase."
                )
                % {"suffix": suffix or "(none)"}
            )
        if upload.size > settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_UPLOAD_MB})
        return upload

    def clean_field_map(self):
        mapping = {}
        for pair in (self.cleaned_data.get("field_map") or "").replace("\n", ",").split(","):
            if not pair.strip():
                continue
            target, sep, column = pair.partition("=")
            target, column = target.strip(), column.strip()
            if not sep or not target or not column:
                raise forms.ValidationError(
                    _("Write FIELD=COLUMN pairs separated by commas, not %(pair)r.") % {"pair": pair.strip()}
                )
            if target not in MAPPABLE:
                raise forms.ValidationError(
                    _("%(field)s cannot be mapped; use one of: %(fields)s.")
                    % {"field": target, "fields": ", ".join(sorted(MAPPABLE))}
                )
            mapping[target] = column
        return mapping


class SiteManagerForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of an existing user"))


# The fields a wizard's mapping offers, in the order a person thinks of them, with their names for people.
WIZARD_LABELS = {
    "key": _("Identity in the data set"),
    "name": _("Name"),
    "iso3": _("Country (ISO3)"),
    "wdpa_id": _("WDPA id"),
    "iucn_category": _("IUCN category"),
    "designation_eng": _("Designation (English)"),
    "designation": _("Designation"),
    "orig_name": _("Original name"),
    "governance_type": _("Governance type"),
    "management_authority": _("Management authority"),
    "status": _("Status"),
    "status_year": _("Status year"),
    "reported_area_km2": _("Reported area (km²)"),
    "realm": _("Realm"),
}
WIZARD_FIELDS = list(WIZARD_LABELS)
