# See greenlist/formats/en/formats.py. The short forms name the month too ("6 dic 2026"), as the
# long ones do: a page that shows both never mixes "6 de diciembre de 2026" with "06/12/2026".
# "b", not "N": Django's Spanish "N" is "Ene.", "marzo", "sept.", neither short nor of one style.
DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
