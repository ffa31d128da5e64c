from scoring.tests.fixtures import assessment, standard  # noqa: F401
