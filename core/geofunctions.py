"""PostGIS functions Django's GIS module does not wrap."""

from django.db.models import FloatField, Func


class PointX(Func):
    """A point's longitude (x) as a number: a marker needs two floats, and building a GEOS object
    per row in Python costs a millisecond each at thousands of rows."""

    function = "ST_X"
    output_field = FloatField()


class PointY(Func):
    """A point's latitude (y) as a number (see PointX)."""

    function = "ST_Y"
    output_field = FloatField()
