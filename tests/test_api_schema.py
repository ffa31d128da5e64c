"""/api/v1/schema/ is generated once per process and language (greenlist.api_docs.SchemaView): it is
public and costs about a second of CPU to generate, so it must not be made anew for every caller."""

import json

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from greenlist.api_docs import SchemaView


def test_the_schema_is_generated_once_per_language_and_served_as_generated(client):
    SchemaView._generated.clear()

    first = client.get("/api/v1/schema/?format=json")
    second = client.get("/api/v1/schema/?format=json")
    french = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="fr")

    assert first.status_code == second.status_code == french.status_code == 200
    # the kept document, served twice, is the one a fresh generation gives
    with translation.override("en"):
        fresh = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    assert json.loads(first.content) == json.loads(second.content) == fresh
    # one per language: a French reader does not get the English document kept before
    assert sorted(language for language, _version in SchemaView._generated) == ["en", "fr"]


def test_a_served_schema_cannot_change_the_kept_document(client):
    SchemaView._generated.clear()
    served = client.get("/api/v1/schema/?format=json")
    assert served.status_code == 200
    served.data["info"]["title"] = "changed by a renderer"  # the response's data, as middleware could
    again = client.get("/api/v1/schema/?format=json")
    assert json.loads(again.content)["info"]["title"] == "IUCN Green List platform API"
