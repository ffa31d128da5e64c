"""An area's boundary as a small SVG drawing (no map library): the dossier PDF and the public page of a
listed area draw it with `protected_areas/_boundary.svg.html`."""

from __future__ import annotations

import math
from typing import Any


def boundary_drawing(area, width: int = 480, height: int = 320) -> dict[str, Any] | None:
    """What `protected_areas/_boundary.svg.html` draws of the site: the boundary as one SVG path
    (equirectangular, scaled by the cosine of the latitude so the shape is not stretched), or a
    marker for a site known only by a point; None without any geometry. Numbers only: the
    template writes the markup and escapes every value."""
    geom = area.geom_display or area.geom
    if geom is None:
        if area.point is None:
            return None
        return {
            "width": width,
            "height": height,
            "point": {"x": width / 2, "y": height / 2, "label_x": width / 2 + 12, "label_y": height / 2 + 4},
            "extent": f"{area.point.y:.4f}, {area.point.x:.4f}",
        }
    minx, miny, maxx, maxy = geom.extent
    span = max(maxx - minx, maxy - miny) or 1e-6
    if geom.num_coords > 4000:
        geom = geom.simplify(span / 2000, preserve_topology=True)
    kx = math.cos(math.radians((miny + maxy) / 2))
    w, h = max((maxx - minx) * kx, 1e-9), max(maxy - miny, 1e-9)
    pad = 16
    scale = min((width - 2 * pad) / w, (height - 2 * pad) / h)
    ox = (width - w * scale) / 2
    oy = (height - h * scale) / 2

    def point(x: float, y: float) -> str:
        return f"{ox + (x - minx) * kx * scale:.1f},{oy + (maxy - y) * scale:.1f}"

    parts = []
    polygons = geom if geom.geom_type == "MultiPolygon" else [geom]
    for polygon in polygons:
        for ring in polygon:
            parts.append("M" + "L".join(point(x, y) for x, y in ring.coords[:-1]) + "Z")
    return {
        "width": width,
        "height": height,
        "path": " ".join(parts),
        "extent": f"{miny:.3f}–{maxy:.3f}° lat, {minx:.3f}–{maxx:.3f}° lon",
    }
