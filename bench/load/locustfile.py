"""50 concurrent users mixing the real journeys (bench/load/run.sh starts everything)."""

import math
import random
import re

from locust import HttpUser, between, task

PASSWORD = "load-test-password"  # noqa: S105
SITES = 300


def login(client, email):
    page = client.get("/accounts/login/", name="login page")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    client.post(
        "/accounts/login/",
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": client.base_url + "/accounts/login/"},
        name="login",
    )
    return client.cookies.get("csrftoken")


class SiteManager(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    def on_start(self):
        self.csrf = login(self.client, f"manager{random.randrange(SITES)}@load.test")
        data = self.client.get("/api/v1/assessments/", name="api: assessments list").json()
        self.assessment = data["results"][0]["id"]
        answers = self.client.get(f"/api/v1/assessments/{self.assessment}/answers/", name="api: answers list").json()
        self.answer_ids = [a["id"] for a in answers]

    def headers(self):
        return {"X-CSRFToken": self.csrf, "Referer": self.client.base_url + "/"}

    @task(4)
    def open_assessment(self):
        self.client.get(f"/assessments/{self.assessment}/", name="page: assessment")

    @task(4)
    def edit_answer(self):
        answer_id = random.choice(self.answer_ids)
        url = f"/api/v1/assessments/{self.assessment}/answers/{answer_id}/"
        current = self.client.get(url, name="api: answer").json()
        self.client.patch(
            url,
            json={"version": current["version"], "justification": f"Edited under load {random.random()}"},
            headers=self.headers(),
            name="api: save answer",
        )

    @task(1)
    def upload_evidence(self):
        self.client.post(
            f"/api/v1/assessments/{self.assessment}/evidence/",
            data={"title": "Patrol report", "sensitivity": "reviewers"},
            files={"file": ("report.txt", b"Patrol report: 12 km walked, no snares found.\n", "text/plain")},
            headers=self.headers(),
            name="api: upload evidence",
        )


class Expert(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        login(self.client, f"expert{random.randrange(10)}@load.test")

    @task(3)
    def standard(self):
        self.client.get("/standard/", name="page: standard")

    @task(2)
    def areas(self):
        self.client.get(f"/areas/?page={random.randint(1, 5)}", name="page: areas list")


class PublicVisitor(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    @task(2)
    def map_page(self):
        self.client.get("/areas/map/", name="page: map")

    @task(6)
    def tiles(self):
        z = random.choice([4, 6, 8])
        # tiles over the seeded sites (around 102-108 E, 10-14 N)
        n = 2**z
        lon, lat = math.radians(random.uniform(102, 108)), math.radians(random.uniform(10, 14))
        x = int((math.degrees(lon) + 180) / 360 * n)
        y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
        self.client.get(f"/areas/tiles/{z}/{x}/{y}.pbf", name="tile")

    @task(2)
    def api_areas(self):
        self.client.get(f"/api/v1/protected-areas/?page={random.randint(1, 5)}", name="api: protected areas")


class Trivial(HttpUser):
    """Only for the ceiling run (run.sh names the classes it runs): the cheapest view the server has."""

    weight = 1
    wait_time = between(0, 0)

    @task
    def ping(self):
        self.client.get("/ping", name="ping")
