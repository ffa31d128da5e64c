"""Workers and beat for personal data (issue 20): building a person's download, expiring old ones."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.build_data_export")
def build_data_export(export_id: int) -> str:
    from .personal_data import export_build

    return export_build(export_id).status


@shared_task(name="accounts.expire_data_exports")
def expire_data_exports() -> int:
    from .personal_data import expire_exports

    return expire_exports()
