"""The docs site's configuration (mkdocs.yml) against docs/: every page is in the navigation and every page the
navigation names exists; the API reference's `::: name` directives name importable objects. `mkdocs build
--strict` itself runs in .ci/run's docs stage (it needs the `docs` extra)."""

from __future__ import annotations

import importlib
import re

import pytest

from project_paths import DOCS, ROOT

MKDOCS = ROOT / "mkdocs.yml"
NAV_PAGE = re.compile(r"^\s+- (?:[^\n]*?: )?([\w./-]+\.md)\s*$", re.MULTILINE)
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def nav_pages() -> list[str]:
    text = MKDOCS.read_text(encoding="utf-8")
    return NAV_PAGE.findall(text[text.index("\nnav:") :])


def test_every_page_is_in_the_nav() -> None:
    pages = {page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md")}

    assert pages - set(nav_pages()) == set(), "pages missing from mkdocs.yml's nav"


def test_every_nav_entry_exists() -> None:
    listed = nav_pages()

    assert len(listed) == len(set(listed)), "a page is listed twice"
    assert [page for page in listed if not (DOCS / page).is_file()] == []


def test_the_site_builds_offline() -> None:
    text = MKDOCS.read_text(encoding="utf-8")

    assert re.search(r"^  font: false", text, re.MULTILINE), "Material's default font comes from Google Fonts"
    assert "strict: true" in text


DIRECTIVES = sorted({name for page in DOCS.rglob("*.md") for name in DIRECTIVE.findall(page.read_text("utf-8"))})


@pytest.mark.parametrize("name", DIRECTIVES)
def test_reference_directives_name_importable_objects(name: str) -> None:
    module_name, attribute = name, None
    while True:
        try:
            target = importlib.import_module(module_name)
            break
        except ModuleNotFoundError:
            module_name, _, tail = module_name.rpartition(".")
            attribute = f"{tail}.{attribute}" if attribute else tail
            assert module_name, f"{name} is not importable"
    for part in (attribute.split(".") if attribute else []):
        target = getattr(target, part)

