import pytest

from operations.models import BackupRun, BackupStatus

pytestmark = pytest.mark.django_db


def test_latest_backup_run_comes_first():
    older = BackupRun.objects.create(destination="/backups/a", status=BackupStatus.OK)
    newer = BackupRun.objects.create(destination="/backups/b", status=BackupStatus.VERIFIED)
    assert list(BackupRun.objects.all()) == [newer, older]
    assert "verified" in str(newer)
