from .fixtures import assessment, standard  # noqa: F401
