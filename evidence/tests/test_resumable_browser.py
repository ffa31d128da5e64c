"""Resumable uploads and evidence captured offline in a real browser (issue 17): an upload cut
half-way continues after a reload from the bytes the server kept, and photos taken offline wait in
IndexedDB through a closed page and arrive once when the network returns."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHUNK = 8 * 1024 * 1024  # upload.js's CHUNK_SIZE


def _wait(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_an_upload_cut_half_way_resumes_after_a_reload(page, arezzo_assessment, arezzo_team, tmp_path):
    from evidence.models import EvidenceItem, ResumableUpload

    # given a 20 MB file (three pieces) chosen on the assessment page
    content = os.urandom(20 * 1024 * 1024)
    path = tmp_path / "transect-survey.bin"
    path.write_bytes(content)
    browser_login(page, arezzo_team.email)
    page.goto(f"/assessments/{arezzo_assessment.pk}/")

    # The connection is cut after the first piece: every later piece (and its retries) fails, and the
    # device goes offline before the page closes. Closing the page alone left a race on a fast machine:
    # the pieces already sent could all arrive, the upload finish, and the reopened page have nothing
    # left to send. (Part of the second piece may still arrive: the server keeps what it received.)
    def cut_after_the_first_piece(route):
        if route.request.method == "PATCH" and int(route.request.headers.get("upload-offset", "0")) >= CHUNK:
            route.abort("connectionreset")
            return
        route.continue_()

    page.route("**/*", cut_after_the_first_piece)
    with page.expect_response(lambda r: r.request.method == "PATCH" and r.status == 204, timeout=60000):
        page.locator("form.js-upload").first.locator("input[name=file]").set_input_files(str(path))
    # when the page is closed while the next piece is under way
    page.context.set_offline(True)
    page.close()
    kept = _wait(lambda: ResumableUpload.objects.filter(offset__gte=CHUNK).values_list("offset", flat=True).first())
    assert CHUNK <= kept < len(content) and not EvidenceItem.objects.exists()
    page.context.set_offline(False)

    # then choosing the same file after reopening the page continues from the server's bytes
    again = page.context.new_page()
    offsets: list[int] = []
    again.on("request", lambda r: offsets.append(int(r.headers["upload-offset"])) if r.method == "PATCH" else None)
    again.goto(f"/assessments/{arezzo_assessment.pk}/")
    again.locator("form.js-upload").first.locator("input[name=file]").set_input_files(str(path))
    expect(again.locator("form.js-upload .upload-list li.done")).to_have_count(1, timeout=90000)
    assert offsets and min(offsets) >= CHUNK, offsets  # nothing sent from the start again
    item = EvidenceItem.objects.get()
    with item.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(content).hexdigest()
    assert ResumableUpload.objects.get().evidence_id == item.pk
    # and choosing it again for the same indicator (a folder's next sitting) skips it: nothing sent twice
    sent = len(offsets)
    again.locator("form.js-upload").first.locator("input[name=file]").set_input_files(str(path))
    expect(again.locator("form.js-upload .upload-list li.done")).to_have_count(2, timeout=30000)
    assert len(offsets) == sent and EvidenceItem.objects.count() == 1


def test_photos_taken_offline_wait_on_the_device_and_arrive_once(page, arezzo_assessment, arezzo_team, testdata):
    from evidence.models import EvidenceItem

    context = page.context
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 43.466, "longitude": 11.88})
    # the page's announcements of waiting files, for the offline banner (lane B's)
    context.add_init_script(
        "document.addEventListener('offline:uploads-pending', (e) => {"
        " (window.pendingCounts = window.pendingCounts || []).push(e.detail.count); });"
    )
    errors: list[str] = []
    context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(page, arezzo_team.email)
    page.goto(f"/assessments/{arezzo_assessment.pk}/")

    # given the device goes offline and two photos are taken for the first indicator
    context.set_offline(True)
    photos = [testdata / "img-exif-samples/gps/DSCN0010.jpg", testdata / "img-exif-samples/gps/DSCN0021.jpg"]
    camera = page.locator("form.js-upload").first.locator("input[name=photo]")
    for photo in photos:  # the camera takes one at a time
        camera.set_input_files(str(photo))
    # then they are listed once, in the page's outbox with its one count and one "Send now"
    outbox = page.locator(".js-outbox")
    expect(outbox.locator(".js-outbox-count")).to_have_text("Not yet sent (2)")
    expect(outbox.locator(".upload-waiting li")).to_have_count(2)
    expect(page.locator(".upload-outbox")).to_have_count(1)
    expect(page.locator(".js-outbox-send:visible")).to_have_count(1)
    assert page.evaluate("window.pendingCounts.at(-1)") == 2
    # and the save status does not say that everything is saved
    expect(page.locator("#save-status")).to_have_text("Not yet sent: 2 files kept on this device")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "queued")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-offline-outbox.png"), full_page=False)
    assert not EvidenceItem.objects.exists()
    # when the browser page is closed, the network returns and the page is opened again
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"/assessments/{arezzo_assessment.pk}/")

    # then both arrive, once, with the device's capture time and position
    items = _wait(lambda: list(EvidenceItem.objects.all()) if EvidenceItem.objects.count() == 2 else None)
    # the page announced two waiting, then none (hidden from the start, the outbox proves nothing alone)
    counts = _wait(lambda: (c := again.evaluate("window.pendingCounts || []")) and c[-1] == 0 and 2 in c and c)
    assert counts[0] == 2, counts
    expect(again.locator(".upload-waiting li")).to_have_count(0)
    expect(again.locator("#save-status")).to_have_text("All changes saved")
    assert sorted(i.original_filename for i in items) == ["DSCN0010.jpg", "DSCN0021.jpg"]
    first_indicator = int(again.locator("form.js-upload").first.get_attribute("data-indicator"))
    for item in items:
        assert item.device_captured_at is not None
        assert (round(item.device_position.y, 3), round(item.device_position.x, 3)) == (43.466, 11.88)
        assert [a.indicator_id for a in item.answers.all()] == [first_indicator]
    again.reload()
    again.wait_for_timeout(1500)
    assert EvidenceItem.objects.count() == 2

    # and a photo queued by a person taken off the site team meanwhile (who no longer sees the
    # assessment: 404, the server's 403 for a piece is tested in test_resumable) is refused with the reason,
    # and stays on the device (nothing lost) until they remove it
    from accounts.models import RoleAssignment
    from accounts.services import role_revoke
    from accounts.tests.factories import Role

    context.set_offline(True)
    third = testdata / "img-exif-samples/gps/DSCN0012.jpg"
    again.locator("form.js-upload").first.locator("input[name=photo]").set_input_files(str(third))
    expect(again.locator(".js-outbox-count")).to_have_text("Not yet sent (1)")
    role_revoke(assignment=RoleAssignment.objects.get(user=arezzo_team, role=Role.SITE_MANAGER), revoked_by=None)
    starts: list[str] = []
    again.on("request", lambda r: starts.append(r.url) if r.method == "POST" and "/uploads/" in r.url else None)
    context.set_offline(False)
    refused = again.locator(".upload-refused li")
    expect(refused).to_contain_text("no longer open to you", timeout=30000)
    # and, refused, it no longer counts as waiting: nothing to send, nothing said to be waiting
    expect(again.locator(".upload-waiting li")).to_have_count(0)
    expect(again.locator(".js-outbox-count")).to_have_text("Nothing left to send")
    expect(again.locator(".js-outbox-send")).to_be_hidden()
    expect(again.locator("#save-status")).not_to_contain_text("Not yet sent")
    assert EvidenceItem.objects.count() == 2
    again.screenshot(path=str(SHOTS / "evidence-offline-refused.png"), full_page=False)
    # and it is not sent again when the network comes back
    sent_once = len(starts)
    again.evaluate("window.dispatchEvent(new Event('online'))")
    again.wait_for_timeout(1500)
    assert len(starts) == sent_once == 1, starts
    # and it stays on the device until they remove it
    refused.get_by_role("button", name="Remove from this device").click()
    expect(refused).to_have_count(0)
    expect(again.locator(".js-outbox-count")).to_have_text("Everything is sent")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_waiting_file_the_server_refuses_is_said_refused_with_its_reason_and_not_sent_again(
    page, arezzo_assessment, arezzo_team, testdata, settings
):
    from evidence.models import EvidenceItem

    # given a site manager on a phone, in Spanish, who takes a photo for the first indicator offline
    context = page.context
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, arezzo_team.email)
    context.add_cookies([{"name": "django_language", "value": "es", "url": page.url}])
    page.goto(f"/assessments/{arezzo_assessment.pk}/")
    first = page.locator("article.indicator").first
    first.locator("details.add-evidence > summary").click()
    context.set_offline(True)
    first.locator("input[name=photo]").set_input_files(str(testdata / "img-exif-samples/gps/DSCN0010.jpg"))
    waiting = page.locator(".js-outbox .upload-waiting li")
    refused = page.locator(".js-outbox .upload-refused li")
    expect(waiting).to_have_count(1)
    # and an answer written meanwhile waits too: the save status says both in one sentence, whole on
    # the phone (two lines at most: the two sentences joined ran past the bar and were cut)
    first.locator("textarea[name=justification]").fill("Actas de las reuniones de 2025.")
    status = page.locator("#save-status")
    expect(status).to_have_text("Aún sin enviar: 1 indicador y 1 archivo guardados en este dispositivo")
    assert status.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
    box = status.bounding_box()
    assert box is not None and box["width"] == 390 and box["height"] < 60, box
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "save-status-answers-and-files-es-390.png"))
    starts: list[int] = []

    def started(response):  # the server's answer to each upload's start
        if response.request.method == "POST" and "/uploads/" in response.url:
            starts.append(response.status)

    page.on("response", started)

    # when the network returns while their day's quota is used up (429: later)
    settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY = 0
    context.set_offline(False)
    for _ in range(100):  # the browser's events come while Playwright waits, not in time.sleep
        if starts:
            break
        page.wait_for_timeout(200)
    assert starts == [429], starts
    # then the photo keeps waiting
    page.wait_for_timeout(500)
    expect(waiting).to_have_count(1)
    expect(refused).to_have_count(0)

    # when "Send now" meets a refusal for good: too large for a limit lowered meanwhile (413)
    settings.EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY = 2000
    settings.EVIDENCE_MAX_UPLOAD_MB = 0
    page.locator(".js-outbox-send").click()
    # then it is said refused, with the server's reason, and no longer counted as waiting
    expect(refused).to_contain_text("el límite es de 0 MB")
    expect(waiting).to_have_count(0)
    expect(page.locator(".js-outbox-send")).to_be_hidden()
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    assert starts == [429, 413]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".offline-controls").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "evidence-refused-es-390.png"))

    # and when the page is opened again, it is not sent again, and the indicator's evidence block is open
    page.reload()
    expect(refused).to_contain_text("el límite es de 0 MB")
    expect(first.locator("details.add-evidence")).to_have_attribute("open", "")
    expect(page.locator("details.add-evidence[open]")).to_have_count(1)
    page.wait_for_timeout(1000)
    assert starts == [429, 413] and not EvidenceItem.objects.exists()
    # and they remove it from the device
    refused.locator("button").click()
    expect(refused).to_have_count(0)
    page.reload()
    expect(page.locator("details.add-evidence[open]")).to_have_count(0)
