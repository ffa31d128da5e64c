# One date format per language across pages, PDFs and e-mails (templates name DATE_FORMAT and
# friends, never a pattern of their own). Day before month: the programme is international.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
