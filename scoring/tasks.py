from celery import shared_task

from . import services


@shared_task(soft_time_limit=120, time_limit=150, ignore_result=True)
def rescore_assessment(assessment_id: int) -> str:
    """Debounced re-scoring (see scoring.services): wait out a burst of edits, then compute once."""
    decision = services.debounce_check(assessment_id)
    if not decision.run_now:
        rescore_assessment.apply_async(args=[assessment_id], countdown=decision.wait)
        return "waiting"
    created = services.rescore_many([assessment_id])
    return f"stored {len(created)}"


@shared_task(soft_time_limit=25 * 60, time_limit=28 * 60, ignore_result=True)
def rescore_all() -> int:
    """Run by beat each night: a safety net for a request lost with a worker (cheap: unchanged
    inputs store nothing)."""
    from assessments.models import Assessment

    ids = list(Assessment.objects.values_list("pk", flat=True))
    stored = 0
    for start in range(0, len(ids), 300):
        stored += len(services.rescore_many(ids[start : start + 300]))
    return stored
