"""Re-scoring 300 assessments of 50 indicators each (the pilot programme); target under 5 s.

Runs on a throw-away database (test settings; GREENLIST_TEST_DB names it) built with the real
Standard file and the real services, then times `scoring.services.rescore_many` from cold (every
assessment's ratings changed since its last snapshot).
"""

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
os.environ.setdefault("GREENLIST_TEST_DB", "bench_greenlist")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

N_ASSESSMENTS = 300
TARGET_SECONDS = 5.0


def main() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from reports.tests.portfolio import make_portfolio

        ids = make_portfolio(N_ASSESSMENTS, evidence=0)
        from assessments.models import Answer
        from scoring.models import ScoreSnapshot
        from scoring.services import rescore_many

        # every rating changes, so every assessment needs a new snapshot
        rng = random.Random(8)
        codes = ["meets", "partially_meets", "does_not_meet", "not_applicable", "not_assessed"]
        answers = list(Answer.objects.filter(assessment_id__in=ids).only("id", "rating"))
        for a in answers:
            a.rating = rng.choice(codes)
        Answer.objects.bulk_update(answers, ["rating"], batch_size=2000)
        print(f"{len(ids)} assessments, {len(answers)} answers")
        runs = []
        for _ in range(3):
            ScoreSnapshot.objects.all().delete()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                created = rescore_many(ids)
            runs.append(time.perf_counter() - start)
            assert len(created) == len(ids), len(created)
        best = min(runs)
        start = time.perf_counter()
        unchanged = rescore_many(ids)
        again = time.perf_counter() - start
        print(
            f"re-scoring {len(ids)} assessments x 50 indicators: best {best:.2f} s of {len(runs)} "
            f"({', '.join(f'{r:.2f}' for r in runs)}), {len(queries)} queries; target < {TARGET_SECONDS} s"
        )
        print(f"re-scoring again with nothing changed: {again:.2f} s, {len(unchanged)} new snapshots")
        return 0 if best < TARGET_SECONDS else 1
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
