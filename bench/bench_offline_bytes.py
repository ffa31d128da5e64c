"""Bytes on the wire and time to usable of the assessment page and the expert review page, in Chromium,
on a slow link (issue 17's low-bandwidth budget).

Seeds a scratch database as bench_assessment_page.py and bench_review_page.py do (the shipped
Standard's indicators with 1,000 evidence items for the site team's page being filled in; 50
indicators, 1,000 evidence items, two experts' reviews and a question per indicator for the
review page), collects the static files as production does (hashed names, gzip and brotli
copies: whitenoise.storage.CompressedManifestStaticFilesStorage, DEBUG off), serves them from a
live server, and drives Debian's Chromium through Playwright with the Chrome DevTools protocol's
network emulation (400 kbit/s down and up, 400 ms latency).

For each page it prints, next to its target:
  - bytes transferred on the first load (empty cache: the page and every resource it loads),
    as the network reports them (compressed, headers included: CDP encodedDataLength);
  - bytes transferred on the second load (the same page opened again, nothing changed);
  - time to usable on the throttled link: navigation start to the end of DOMContentLoaded (the
    deferred scripts have run and bound the forms by then), first and second load.

    .venv/bin/python bench/bench_offline_bytes.py [--evidence 1000] [--indicators 50] [--runs 3] [--verbose]

Bytes do not depend on the machine; times do (parsing the page is CPU work): compare them at a
similar load average, which is printed.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from _pages import scratch_database

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# The budget (README, "Low bandwidth"). First load: the page and everything it needs, compressed.
FIRST_LOAD_TARGET_KB = 300
# Second load: the page's 304 and nothing else (every static file is cached for a year by its hash).
SECOND_LOAD_TARGET_KB = 20
# Time to usable on 400 kbit/s with 400 ms of latency.
FIRST_USABLE_TARGET_S = 8.0
SECOND_USABLE_TARGET_S = 2.0

THROTTLE = {
    "offline": False,
    "latency": 400,  # ms
    "downloadThroughput": 400_000 / 8,  # bytes per second
    "uploadThroughput": 400_000 / 8,
}


def seed(n_evidence: int, n_indicators: int):
    """Two assessments: one the site team is filling in (the shipped Standard), one under review."""
    import datetime

    from django.utils import timezone

    from accounts.tests.factories import Role, make_user
    from assessments.models import Answer
    from assessments.services import assessment_create
    from assessments.tests.helpers import fill_all
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from evidence.models import EvidenceItem
    from protected_areas.tests.factories import ProtectedAreaFactory
    from reviews import services
    from reviews.tests.factories import answers_of, submitted_assessment
    from standards.models import Jurisdiction
    from standards.tests.factories import load_gls

    def many_items(assessment, uploader):
        items = EvidenceItem.objects.bulk_create(
            EvidenceItem(
                assessment=assessment,
                title=f"Evidence document {i}",
                file=f"bench/{i}.pdf",
                original_filename=f"{i}.pdf",
                content_type="application/pdf",
                size=1000 + i,
                uploaded_by=uploader,
            )
            for i in range(n_evidence)
        )
        answers = list(Answer.objects.filter(assessment=assessment).order_by("pk"))
        through = Answer.evidence.through
        through.objects.bulk_create(
            through(answer_id=answers[i % len(answers)].pk, evidenceitem_id=item.pk) for i, item in enumerate(items)
        )
        return len(answers)

    staff = make_user(Role.IUCN_STAFF, email="bench-staff@example.org")

    load_gls()
    area = ProtectedAreaFactory(name="Bench Reserve")
    manager = make_user(Role.SITE_MANAGER, email="bench-manager@example.org", protected_area=area)
    editable = assessment_create(protected_area=area, user=manager, year=2026)
    make_eligible(editable, staff=staff)
    transition(editable, "candidate", by=staff)
    fill_all(editable, manager)
    n_editable = many_items(editable, manager)

    jurisdiction = Jurisdiction.objects.create(code="vn", name="Viet Nam", countries=["VNM"])
    area2 = ProtectedAreaFactory(name="Bench Review Reserve")
    manager2 = make_user(Role.SITE_MANAGER, email="bench-manager2@example.org", protected_area=area2)
    experts = [make_user(Role.EXPERT, email=f"bench-expert{i}@example.org", jurisdiction=jurisdiction) for i in (1, 2)]
    reviewed = submitted_assessment(
        area=area2, manager=manager2, staff=staff, n_indicators=n_indicators, evidence_per_indicator=0
    )
    many_items(reviewed, manager2)
    services.review_start(assessment=reviewed, by=staff)
    due = timezone.localdate() + datetime.timedelta(days=30)
    for expert in experts:
        a = services.assignment_create(assessment=reviewed, assignee=expert, role="expert", due_date=due, by=staff)
        services.conflict_declare(assignment=a, by=expert, has_conflict=False)
    answers = answers_of(reviewed)
    for answer in answers:
        for expert in experts:
            services.indicator_review_save(
                assessment=reviewed, answer=answer, by=expert, rating="meets", finding="Fine.", shared=True
            )
        req = services.information_request_create(
            assessment=reviewed, answer=answer, by=experts[0], question="Minutes?"
        )
        services.information_reply_create(request=req, by=manager2, text="Attached.")
    return [
        (f"assessment page ({n_editable} indicators, {n_evidence} evidence items, site manager)",
         manager, f"/assessments/{editable.pk}/"),
        (f"review page ({len(answers)} indicators, {n_evidence} evidence items, expert)",
         experts[0], f"/reviews/assessments/{reviewed.pk}/"),
    ]  # fmt: skip


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Load:
    """One navigation's figures, from the DevTools protocol's network events."""

    def __init__(self, cdp):
        self.bytes = 0
        self.requests: list[tuple[str, int, int]] = []  # url, status, bytes
        self.page_status = 0
        self.page_decoded = 0  # the page's HTML as drawn, before compression
        self._url: dict[str, str] = {}
        # The status on the wire (a revalidated copy is reported as the cached 200 otherwise).
        self._raw_status: dict[str, int] = {}
        self._decoded: dict[str, int] = {}
        self.handlers = {
            "Network.responseReceived": self._response,
            "Network.responseReceivedExtraInfo": self._extra,
            "Network.dataReceived": self._data,
            "Network.loadingFinished": self._finished,
        }
        for name, handler in self.handlers.items():
            cdp.on(name, handler)

    def _response(self, event):
        self._url[event["requestId"]] = event["response"]["url"]
        if event["type"] == "Document":
            self.page_id = event["requestId"]
        self._raw_status.setdefault(event["requestId"], event["response"]["status"])

    def _extra(self, event):
        self._raw_status[event["requestId"]] = event["statusCode"]

    def _data(self, event):
        self._decoded[event["requestId"]] = self._decoded.get(event["requestId"], 0) + event["dataLength"]

    def _finished(self, event):
        rid = event["requestId"]
        url, status = self._url.get(rid, "?"), self._raw_status.get(rid, 0)
        if rid == getattr(self, "page_id", None):
            self.page_status, self.page_decoded = status, self._decoded.get(rid, 0)
        size = int(event.get("encodedDataLength", 0))
        self.bytes += size
        self.requests.append((url, status, size))


NAVIGATION_TIMES = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return [n.responseEnd, n.domInteractive, n.domContentLoadedEventEnd];
}"""


def measure(browser, live_url: str, cookie: str, path: str) -> list[tuple[str, Load, list[float]]]:
    """Both loads in a fresh browser context (empty cache); times in seconds: the page's last byte
    arrived, the HTML parsed, the deferred scripts run and DOMContentLoaded handled (usable)."""
    from django.conf import settings

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_url}])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLE)
    loads = []
    for label in ("first load", "second load"):
        page.goto("about:blank")
        load = Load(cdp)
        response = page.goto(live_url + path, wait_until="load", timeout=120_000)
        assert response is not None and response.status in (200, 304), response and response.status
        page.wait_for_load_state("networkidle", timeout=120_000)
        times = [ms / 1000 for ms in page.evaluate(NAVIGATION_TIMES)]
        for name, handler in load.handlers.items():
            cdp.remove_listener(name, handler)
        loads.append((label, load, times))
    context.close()
    return loads


def production_static():
    """Static files as production serves them: collected, hashed, gzip and brotli copies."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    root = tempfile.mkdtemp(prefix="bench-static-")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    overrides = override_settings(STATIC_ROOT=root, STORAGES=storages, WHITENOISE_USE_FINDERS=False, DEBUG=False)
    overrides.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    return overrides


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evidence", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument(
        "--runs", type=int, default=1, help="fresh browser contexts per page, the median shown (3: steadier, slower)"
    )
    parser.add_argument("--verbose", action="store_true", help="list every request of each load")
    args = parser.parse_args()

    with scratch_database("bench_offline_bytes"):
        from django.test.testcases import LiveServerThread
        from playwright.sync_api import sync_playwright

        pages = seed(args.evidence, args.indicators)
        overrides = production_static()
        server = LiveServerThread("127.0.0.1", lambda handler: handler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        live_url = f"http://127.0.0.1:{server.port}"
        failed = []
        # Signed in before Playwright starts (its event loop makes this thread async for Django).
        pages = [(title, session_cookie(user), path) for title, user, path in pages]
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
                )
                print("Chromium, network emulation: 400 kbit/s down and up, 400 ms latency")
                for title, cookie, path in pages:
                    print(title)
                    runs = [measure(browser, live_url, cookie, path) for _ in range(max(1, args.runs))]
                    for i, label in enumerate(("first load", "second load")):
                        # The run with the median time to usable (time is CPU-bound on a shared machine).
                        _label, load, times = sorted((run[i] for run in runs), key=lambda r: r[2][2])[len(runs) // 2]
                        arrived, parsed, usable_s = times
                        kb = load.bytes / 1000
                        target_kb = FIRST_LOAD_TARGET_KB if label == "first load" else SECOND_LOAD_TARGET_KB
                        target_s = FIRST_USABLE_TARGET_S if label == "first load" else SECOND_USABLE_TARGET_S
                        print(
                            f"  {label}: {kb:.1f} kB on the wire in {len(load.requests)} requests "
                            f"(target: under {target_kb} kB); "
                            f"usable after {usable_s:.2f} s (target: under {target_s:.0f} s; median of {len(runs)})"
                        )
                        print(
                            f"    the page itself: {load.page_status}, {load.page_decoded / 1024:.0f} KiB of HTML; "
                            f"its last byte at {arrived:.2f} s, parsed at {parsed:.2f} s"
                        )
                        if kb > target_kb or usable_s > target_s:
                            failed.append(f"{title}: {label}")
                        if args.verbose:
                            for url, status, size in load.requests:
                                print(f"      {status} {size:>8} {url.replace(live_url, '')[:110]}")
                browser.close()
        finally:
            server.terminate()
            overrides.disable()
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine is shared)")
        print("all within budget" if not failed else "over budget: " + "; ".join(failed))


if __name__ == "__main__":
    main()
