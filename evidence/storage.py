"""Where evidence files live. Never under MEDIA_ROOT: development serves MEDIA_URL without any
permission check, and evidence may only leave through the permission-checked download view."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise NotImplementedError("Evidence has no public URL; use the download view.")


def evidence_storage():
    if getattr(settings, "STORAGE_BACKEND", "local") == "local":
        root = getattr(settings, "EVIDENCE_ROOT", None) or f"{settings.MEDIA_ROOT}-private"
        return PrivateFileSystemStorage(location=Path(root))
    # S3: the default storage is private (ACL private, signed URLs); files are still streamed by us.
    return storages["default"]
