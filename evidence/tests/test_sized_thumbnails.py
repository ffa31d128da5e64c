"""Images in sizes fit for the screen (issue 17, evidence.thumbnails): the pipeline makes each image's
thumbnail in 160, 480 and 1024 px (WebP, no metadata); the page offers them with srcset; a URL that
names the file's version may be kept a year, behind the same permission check as the original."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import Role, make_user
from evidence import thumbnails
from evidence.badges import badges

pytestmark = pytest.mark.django_db


def test_sizes_are_made_offered_and_served_with_the_same_checks(
    arezzo_assessment, arezzo_team, other_area, upload, processed, testdata
):
    photo = processed(
        upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0010.jpg", title="Nest site")
    )
    name = photo.facts.thumbnail.name
    v = thumbnails.version(name)
    assert len(v) == 12
    storage = photo.facts.thumbnail.storage
    for width in thumbnails.WIDTHS:
        with storage.open(thumbnails.variant_name(name, width), "rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
            assert image.format == "WEBP" and max(image.size) <= width
            assert max(image.size) == min(width, 640)  # the sample photo is 640 px wide
            assert not image.info.get("exif") and not image.info.get("icc_profile")  # no GPS, no camera

    # The page's box: a 160 px source and the srcset of every width, each naming the version.
    box = badges(photo, photo.facts)
    url = reverse("evidence:thumbnail", args=[photo.pk])
    assert box["thumbnail"] == f"{url}?w=160&v={v}"
    assert box["srcset"] == ", ".join(f"{url}?w={w}&v={v} {w}w" for w in thumbnails.WIDTHS)

    client = Client()
    client.force_login(arezzo_team)
    response = client.get(url, {"w": "480", "v": v})
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == thumbnails.IMMUTABLE
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"
    # Without the current version (an old URL): an hour, as before.
    response = client.get(url, {"w": "480", "v": "0" * 12})
    assert response.status_code == 200 and response["Cache-Control"] == "private, max-age=3600"
    # A width nobody made: 404, not the original.
    assert client.get(url, {"w": "4000", "v": v}).status_code == 404

    # The same permission check as the original: someone who may not see the item gets 404.
    stranger = Client()
    stranger.force_login(make_user(Role.SITE_MANAGER, email="stranger@example.org", protected_area=other_area))
    assert stranger.get(url, {"w": "160", "v": v}).status_code == 404

    # Processed again: the sizes are made anew in place of the old ones, which do not pile up.
    again = processed(photo)
    folder = again.facts.thumbnail.name.rsplit("/", 1)[0]
    webps = sorted(f"{folder}/{f}" for f in storage.listdir(folder)[1] if f.endswith(".webp"))
    assert webps == sorted(thumbnails.variant_names(again.facts.thumbnail.name))
