"""The boundary importer: from a GeoJSON, GeoPackage, Shapefile or KML file to protected areas.

The importer streams features out of GDAL, normalises their attributes in Python, and hands them
to PostGIS in batches (COPY into a temporary table). Everything geometric (repair, areas on the
spheroid, simplification, comparison with the stored boundary, boundary history) is done by
set-based SQL per batch, because that is where it is fast; Python never holds more than a batch.

The parts, in the order a feature meets them:

- `files`: which files are opened, and only with the GDAL driver of their format (core.gdal_safety);
- `columns`: which column of the file feeds which field (WDPA schemas, or a mapping), and how
  values are cleaned into a staging row;
- `reader`: features out of GDAL into staging rows, on threads that read ahead of the database;
  `arrow` reads a layer in columns through GDAL's Arrow stream where that gives the same rows;
- `writer` with `batch.sql` and `staging.sql`: COPY into the staging tables, then the set-based
  upsert and boundary history, on two connections side by side;
- `summary`: what an import did, feature by feature for the rejects.

`protected_areas.services.import_protected_areas` runs them; callers use that, not this package.
"""
