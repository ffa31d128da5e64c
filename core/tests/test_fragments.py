"""Fragments reused while their data is the same (core.fragments), drawn again when it changes."""

from django.template import loader

from core.fragments import DrawnFragments

ITEM = ("7", "/f/7/", "Minutes <2024>", "", "", "12 KB · 2024-05-01", "", False)


def _counting(monkeypatch):
    renders = []
    real = loader.get_template

    def get_template(name, *args, **kwargs):
        template = real(name, *args, **kwargs)
        render = template.render
        template.render = lambda context=None, request=None: renders.append(name) or render(context, request)
        return template

    monkeypatch.setattr("core.fragments.get_template", get_template)
    return renders


def draw(fragments, items, new="new"):
    return fragments.draw((tuple(items), new), {"items": items, "t_new": new, "t_no_evidence_linked": "None."})


def test_the_same_data_is_drawn_once_and_other_data_again(monkeypatch):
    renders = _counting(monkeypatch)
    fragments = DrawnFragments("reviews/_evidence_items.html")
    first = draw(fragments, [ITEM])
    assert "Minutes &lt;2024&gt;" in first and "<2024>" not in first  # the template escapes
    assert draw(fragments, [ITEM]) == first and len(renders) == 1
    marked = draw(fragments, [(*ITEM[:-1], True)], new="nouveau")  # the "new" mark, in French
    assert len(renders) == 2 and "nouveau" in marked and "nouveau" not in first


def test_a_full_cache_or_a_changed_template_starts_again(monkeypatch):
    renders = _counting(monkeypatch)
    fragments = DrawnFragments("reviews/_evidence_items.html", max_entries=2)
    for title in ("a", "b", "c"):
        draw(fragments, [(*ITEM[:2], title, *ITEM[3:])])
    assert len(fragments._drawn) == 1  # emptied when full, then the third kept
    fragments._compiled = object()  # as after the development server reloaded the file
    draw(fragments, [(*ITEM[:2], "c", *ITEM[3:])])
    assert len(renders) == 4
