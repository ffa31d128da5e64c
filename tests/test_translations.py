"""Every message of the platform is translated into French and Spanish, server and JavaScript alike.

`msgattrib` (gettext, installed by the set-up) lists what is untranslated or fuzzy in each catalogue;
a new {% translate %} or gettext() without its French and Spanish fails here until it has them.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    path
    for path in ROOT.glob("**/locale/*/LC_MESSAGES/*.po")
    if ".venv" not in path.parts and "var" not in path.parts and path.parts[-3] in {"fr", "es"}
)


def _entries(args: list[str], po: Path) -> list[str]:
    out = subprocess.run(
        ["msgattrib", *args, "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    return [m for m in re.findall(r'^msgid "(.*)"$', out, flags=re.M) if m]


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="gettext is installed by scripts/setup.sh")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po):
    assert _entries(["--untranslated"], po) == []
    assert _entries(["--only-fuzzy"], po) == []


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is installed by scripts/setup.sh")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalogue_passes_msgfmt_checks(po):
    # Plural forms as many as the header's nplurals (Spanish has three, as Django's own catalogue: a
    # message with two showed English for "0 questions"), and the same placeholders as the msgid.
    checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_there_are_french_and_spanish_catalogues_for_the_server_and_the_scripts():
    names = {(p.parts[-3], p.name) for p in CATALOGUES}
    assert {("fr", "django.po"), ("es", "django.po"), ("fr", "djangojs.po"), ("es", "djangojs.po")} <= names


def _catalog(client: Client, language: str) -> dict:
    body = client.get(f"/jsi18n/?l={language}").content.decode()
    found = re.search(r"const newcatalog = (\{.*?\});", body, flags=re.S)
    return json.loads(found.group(1)) if found else {}  # English: the catalogue has no entries


@pytest.mark.django_db
def test_the_scripts_catalogue_follows_the_language_the_page_names():
    client = Client()
    french, spanish = _catalog(client, "fr"), _catalog(client, "es")
    assert french["Uploaded"] not in ("", "Uploaded")
    assert spanish["Uploaded"] not in ("", "Uploaded", french["Uploaded"])
    # an unknown language falls back to the request's own (English here): no catalogue entries
    assert _catalog(client, "xx") == {}
