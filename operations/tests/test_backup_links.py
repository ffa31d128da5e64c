"""A backup folder from elsewhere may hold symbolic links; a restore refuses them rather than copy
the file they point at into evidence storage, where it would be served (review L7)."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from operations.manifest import DUMP, BackupError, check_contents
from operations.restore import RestoreReport, _restore_files


@pytest.fixture
def linked_backup(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(b"not for the evidence store")
    folder = tmp_path / "backup"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "report.pdf").symlink_to(secret)
    entry = {
        "storage": "default",
        "name": "restore-link-check/report.pdf",
        "path": "files/report.pdf",
        "size": secret.stat().st_size,
        "sha256": hashlib.sha256(secret.read_bytes()).hexdigest(),
    }
    return folder, {"database": {"path": DUMP, "size": 0, "sha256": ""}, "files": [entry]}


def test_the_check_of_a_backup_refuses_a_symbolic_link(linked_backup):
    folder, manifest = linked_backup
    with pytest.raises(BackupError, match="symbolic link.*files/report.pdf"):
        check_contents(folder, manifest)


def test_writing_files_back_refuses_a_link_even_one_put_there_after_the_check(linked_backup):
    folder, manifest = linked_backup
    with pytest.raises(BackupError, match="symbolic link"):
        _restore_files(manifest, folder, RestoreReport())
    assert not default_storage.exists("restore-link-check/report.pdf")
