"""Beat seals the audit trail's new events into its hash chain (audit.chain)."""

from celery import shared_task


@shared_task(name="audit.seal_chain")
def seal_chain() -> int:
    from .chain import seal

    return seal()
