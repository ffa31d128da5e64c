"""Fixtures the attack tests share with the suites they attack, defined once there.

- `world`: the permission matrix's world (tests/permissions/conftest.py), people and objects built
  through the services.
- The evidence pipeline's fixtures (evidence/tests/conftest.py): a Standard, the Arezzo
  site and its team, uploads through the service, the pipeline run in this process.
"""

from evidence.tests.conftest import (  # noqa: F401
    arezzo,
    arezzo_assessment,
    arezzo_team,
    make_assessment,
    processed,
    standard,
    upload,
)
from tests.permissions.conftest import world  # noqa: F401
