"""The documentation site's generated pages: every shipped model and every family has one, their pictures
exist, and the Models section lists every family page."""
import re
from pathlib import Path

from zoo import recipes, registry
from zoo.cards import doc_pages

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_shipped_model_and_family_has_a_page_whose_pictures_exist(tmp_path):
    written = doc_pages.write_pages(tmp_path / "docs")
    names = {p.stem for p in written if p.parent.name == "models"} - {"all"}
    assert names == set(recipes.list_models())
    assert {p.stem for p in written if p.parent.name == "families"} == set(registry.FAMILIES)
    for page in written:
        text = page.read_text()
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            assert (page.parent / target).is_file(), f"{page.name}: {target}"
    all_page = (tmp_path / "docs" / "models" / "all.md").read_text()
    assert all(f"[{n}]({n}.md)" in all_page and f"\n{n}\n" in all_page for n in recipes.list_models())
    vae = (tmp_path / "docs" / "models" / "vae-cifar10.md").read_text()
    assert vae.startswith("# vae-cifar10\n") and "Reproduce: `zoo train vae-cifar10`" in vae
    assert "../families/vae.md" in vae


def test_the_models_section_lists_every_family_page_and_the_index_every_section():
    index = (DOCS / "models" / "index.md").read_text()
    listed = set(re.findall(r"^\.\./families/(\w+)$", index, re.M))
    assert listed == set(registry.FAMILIES)
    pages = {p.stem for p in DOCS.glob("*.md")} - {"benchmark"}
    site = (DOCS / "index.md").read_text()
    in_toc = set(re.findall(r"^([a-z_/]+)$", site, re.M))
    assert pages - {"index"} <= in_toc, pages - {"index"} - in_toc
