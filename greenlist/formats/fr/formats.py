# See greenlist/formats/en/formats.py. The short forms name the month too ("6 déc. 2026"), as the
# long ones do: a page that shows both never mixes "6 décembre 2026" with "06/12/2026".
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
