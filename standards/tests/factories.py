from pathlib import Path

from standards.services import standard_load

GLS_PATH = Path(__file__).resolve().parents[1] / "data" / "gls-v1.1.yaml"


def load_gls():
    """The real Standard file of the repo, loaded through the real loader."""
    return standard_load(GLS_PATH).standard
