"""Every environment variable the settings read is documented in .env.example and the README."""

import re

import pytest

from tests.ops.conftest import REPO

SETTINGS_VARIABLES = sorted(
    set(
        re.findall(
            r'env_(?:str|bool|int|list|required)\(\s*"([A-Z0-9_]+)"',
            (REPO / "informatics" / "settings.py").read_text(),
        )
    )
)
ENTRYPOINT_VARIABLES = sorted(
    set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)[:}]", (REPO / "docker" / "entrypoint.sh").read_text()))
    - {"DJANGO_SETTINGS_MODULE"}
)


def test_the_settings_read_variables() -> None:
    assert {"DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"} <= set(
        SETTINGS_VARIABLES
    )


@pytest.mark.parametrize("name", SETTINGS_VARIABLES + ENTRYPOINT_VARIABLES)
def test_variable_is_in_env_example(name: str) -> None:
    text = (REPO / ".env.example").read_text()
    assert re.search(rf"^#? ?{name}=", text, flags=re.MULTILINE), f"{name} is not in .env.example"


@pytest.mark.parametrize("name", SETTINGS_VARIABLES + ENTRYPOINT_VARIABLES)
def test_variable_is_in_the_readme(name: str) -> None:
    assert f"`{name}`" in (REPO / "README.md").read_text(), f"{name} is not in README.md"
