"""standards.diff on hand-built contents: what counts as added, removed, moved, reworded, a changed
meaning; the words marked; an adapted set read over its version. No database."""

import copy
import time

from standards import diff
from standards.content import normalise, validate
from standards.diff import DELETE, EQUAL, INSERT, Segment, adapt_content, diff_contents, segments

LANGS = ("en", "fr", "es")


def ind(number, title, text, **extra):
    return {"number": number, "title": title, "text": text, "lineage": f"L-{number}", **extra}


def content():
    data = {
        "standard": {"code": "GLS", "version": "1.1", "title": "Test Standard"},
        "rules": {},
        "rating_scale": [
            {
                "code": "meets",
                "label": "Meets",
                "counts_as_met": True,
                "score": 1,
                "requires_justification": False,
                "requires_action": False,
                "allowed_on_submit": True,
            }
        ],
        "components": [
            {
                "number": "1",
                "title": "Good governance",
                "translations": {"fr": {"title": "Bonne gouvernance"}},
                "criteria": [
                    {
                        "number": "1.1",
                        "title": "Legitimacy and voice",
                        "indicators": [
                            ind(
                                "1.1.1",
                                "Legal status",
                                "The site has a legal status.",
                                means_of_verification=["Decree", "Map"],
                                sdgs=[15],
                                translations={"fr": {"text": "Le site a un statut légal."}},
                            ),
                            ind("1.1.2", "Rights", "Rights are recognised."),
                            ind("1.1.3", "Voice", "Stakeholders are heard."),
                        ],
                    },
                    {
                        "number": "1.2",
                        "title": "Transparency",
                        "indicators": [ind("1.2.1", "Decisions", "Decisions are public.")],
                    },
                ],
            }
        ],
    }
    return normalise(data)


def indicators_of(data):
    return {i["number"]: i for c in data["components"] for k in c["criteria"] for i in k["indicators"]}


def by_lineage(result):
    return {e.lineage: e for e in result.indicators}


def test_identical_versions_are_all_unchanged():
    old = content()
    result = diff_contents(old, copy.deepcopy(old), LANGS)
    assert result.identical
    assert {e.status for e in result.indicators} == {"unchanged"}
    assert result.summary.as_dict() == {
        "added": 0,
        "removed": 0,
        "moved": 0,
        "reworded": 0,
        "unchanged": 4,
        "meaning_changed": 0,
        "total": 4,
    }
    assert all(not e.changes for e in result.indicators)
    assert {s.status for s in result.sections} == {"unchanged"}


def test_reworded_english_text_marks_the_words():
    old = content()
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.2"]["text"] = "Customary rights are recognised and respected."
    result = diff_contents(old, new, LANGS)
    entry = by_lineage(result)["L-1.1.2"]
    assert entry.status == "reworded" and entry.reworded and not entry.moved
    [change] = entry.changes
    assert (change.field, change.language) == ("text", "en")
    assert change.old == "Rights are recognised." and change.new == "Customary rights are recognised and respected."
    assert change.segments == (
        Segment(DELETE, "Rights"),
        Segment(INSERT, "Customary rights"),
        Segment(EQUAL, " are recognised"),
        Segment(INSERT, " and respected"),
        Segment(EQUAL, "."),
    )
    assert result.summary.reworded == 1 and result.summary.unchanged == 3


def test_french_only_rewording_is_a_rewording_in_french_only():
    old = content()
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.1"]["translations"]["fr"]["text"] = "Le site a un statut juridique."
    result = diff_contents(old, new, LANGS)
    entry = by_lineage(result)["L-1.1.1"]
    assert entry.status == "reworded"
    [change] = entry.changes
    assert (change.field, change.language) == ("text", "fr")
    assert [s for s in change.segments if s.op != EQUAL] == [Segment(DELETE, "légal"), Segment(INSERT, "juridique")]
    # an English reader's filter leaves it out; a French reader's keeps it
    assert [e.lineage for e in result.entries(status="reworded", language="en")] == []
    assert [e.lineage for e in result.entries(status="reworded", language="fr")] == ["L-1.1.1"]
    assert entry.changes_in("es") == ()


def test_a_new_translation_is_all_inserted():
    old = content()
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.3"]["translations"] = {"es": {"title": "Voz"}}
    [change] = by_lineage(diff_contents(old, new, LANGS))["L-1.1.3"].changes
    assert (change.field, change.language, change.old, change.new) == ("title", "es", None, "Voz")
    assert change.segments == (Segment(INSERT, "Voz"),)


def test_sdg_added_and_wording_marker_changed():
    old = content()
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.1"]["sdgs"] = [15, 14]
    indicators_of(new)["1.1.1"]["wording"] = "official"
    entry = by_lineage(diff_contents(old, new, LANGS))["L-1.1.1"]
    assert entry.status == "reworded"
    changes = {c.field: c for c in entry.changes}
    assert set(changes) == {"sdgs", "wording"}
    assert changes["sdgs"].old == [15] and changes["sdgs"].new == [14, 15]
    assert [s for s in changes["sdgs"].segments if s.op == INSERT] == [Segment(INSERT, "14, ")]
    assert (changes["wording"].old, changes["wording"].new) == ("paraphrase", "official")
    # no language: shown to every reader
    assert changes["sdgs"].language == "" and entry.changes_in("es") == entry.changes


def test_sdgs_in_another_order_are_not_a_change():
    old = content()
    indicators_of(old)["1.1.1"]["sdgs"] = [14, 15]
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.1"]["sdgs"] = [15, 14]
    assert diff_contents(old, new, LANGS).identical


def test_means_of_verification_item_added():
    old = content()
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.1"]["means_of_verification"] = ["Decree", "Map", "Minutes of the board"]
    [change] = by_lineage(diff_contents(old, new, LANGS))["L-1.1.1"].changes
    assert change.field == "means_of_verification"
    assert change.old == ["Decree", "Map"]
    assert "".join(s.text for s in change.segments if s.op != DELETE) == "Decree\nMap\nMinutes of the board"
    assert [s.text for s in change.segments if s.op == INSERT] == ["\nMinutes of the board"]


def test_added_removed_and_moved():
    old = content()
    new = copy.deepcopy(old)
    crit_11, crit_12 = new["components"][0]["criteria"]
    # 1.1.2 is removed and 1.1.3 takes its number; a new 1.2.1 is added before the old 1.2.1,
    # which becomes 1.2.2.
    voice = crit_11["indicators"].pop(2)
    crit_11["indicators"].pop(1)
    voice["number"] = "1.1.2"
    crit_11["indicators"].append(voice)
    decisions = crit_12["indicators"][0]
    decisions["number"] = "1.2.2"
    crit_12["indicators"].insert(0, ind("1.2.1", "Information", "Information is shared.", lineage="L-new"))
    new = normalise(new)
    assert validate(new) == []
    result = diff_contents(old, new, LANGS)
    entries = by_lineage(result)
    assert entries["L-1.1.2"].status == "removed" and entries["L-1.1.2"].old_number == "1.1.2"
    # 1.1.3 → 1.1.2: the number 1.1.2 is taken by an indicator of ANOTHER meaning (lineage L-1.1.3)
    # that existed before, so this is a move, not a changed meaning
    assert entries["L-1.1.3"].status == "moved" and entries["L-1.1.3"].renumbered
    assert not entries["L-1.1.3"].changed_criterion and not entries["L-1.1.2"].meaning_changed
    assert entries["L-new"].status == "added" and entries["L-new"].new_number == "1.2.1"
    assert entries["L-1.2.1"].status == "moved"
    assert (entries["L-1.2.1"].old_number, entries["L-1.2.1"].new_number) == ("1.2.1", "1.2.2")
    assert entries["L-1.1.1"].status == "unchanged"
    # an added indicator carries its texts as insertions
    added_fields = {(c.field, c.language) for c in entries["L-new"].changes}
    assert ("title", "en") in added_fields and ("text", "en") in added_fields
    assert all(s.op == INSERT for c in entries["L-new"].changes for s in c.segments)
    assert result.summary.added == 1 and result.summary.removed == 1 and result.summary.moved == 2
    assert [e.lineage for e in result.entries(status="moved")] == ["L-1.1.3", "L-1.2.1"]


def test_moved_to_another_criterion_and_reworded_counts_under_both():
    old = content()
    new = copy.deepcopy(old)
    crit_11, crit_12 = new["components"][0]["criteria"]
    voice = crit_11["indicators"].pop(2)
    voice["number"] = "1.2.2"
    voice["title"] = "Voice of stakeholders"
    crit_12["indicators"].append(voice)
    entry = by_lineage(diff_contents(old, new, LANGS))["L-1.1.3"]
    assert entry.status == "moved" and entry.moved and entry.reworded and entry.changed_criterion
    assert (entry.old_criterion, entry.new_criterion) == ("1.1", "1.2")
    summary = diff_contents(old, new, LANGS).summary
    assert summary.moved == 1 and summary.reworded == 1


def test_same_number_other_lineage_is_a_changed_meaning_shown_side_by_side():
    old = content()
    new = copy.deepcopy(old)
    indicators_of(new)["1.1.2"].update(lineage="L-tenure", title="Tenure", text="Tenure is secure.")
    result = diff_contents(old, new, LANGS)
    entries = by_lineage(result)
    assert entries["L-1.1.2"].status == "removed" and entries["L-1.1.2"].meaning_changed
    assert entries["L-tenure"].status == "added" and entries["L-tenure"].meaning_changed
    order = [e.lineage for e in result.indicators]
    assert order.index("L-tenure") == order.index("L-1.1.2") + 1  # the old one, then the new one
    assert result.summary.meaning_changed == 1
    assert result.summary.added == 1 and result.summary.removed == 1


def test_component_and_criterion_texts():
    old = content()
    new = copy.deepcopy(old)
    new["components"][0]["translations"]["fr"]["title"] = "Gouvernance"
    new["components"][0]["criteria"][1]["description"] = "Decisions are explained."
    sections = {(s.kind, s.number): s for s in diff_contents(old, new, LANGS).sections}
    assert sections[("component", "1")].status == "reworded"
    assert [(c.field, c.language) for c in sections[("component", "1")].changes] == [("title", "fr")]
    assert sections[("criterion", "1.2")].changes[0].segments == (Segment(INSERT, "Decisions are explained."),)
    assert sections[("criterion", "1.1")].status == "unchanged"


def test_segments_keep_markup_as_text():
    # the page escapes; the diff itself neither escapes nor drops anything
    result = segments("Plan <b>", "Plan <script>alert(1)</script>")
    assert "".join(s.text for s in result if s.op != DELETE) == "Plan <script>alert(1)</script>"
    assert "".join(s.text for s in result if s.op != INSERT) == "Plan <b>"


def test_segments_rebuild_both_texts_whatever_the_words():
    pairs = [
        ("", ""),
        ("a", ""),
        ("", "b"),
        ("The board meets twice a year.", "A committee meets, at least twice a year!"),
        ("Le conseil se réunit.", "El consejo se reúne."),
        ("line one\nline two", "line one\nline 2\nline three"),
    ]
    for old, new in pairs:
        result = segments(old, new)
        assert "".join(s.text for s in result if s.op != INSERT) == old
        assert "".join(s.text for s in result if s.op != DELETE) == new
        assert all(s.text for s in result)


def test_an_adapted_set_replaces_text_and_its_translations():
    generic = content()
    adapted = adapt_content(
        generic,
        {
            "1.1.1": {
                "text": "The reserve has a decree of the province.",
                "thresholds": "Decree dated before 2020",
                "means_of_verification": [],
                "translations": {"es": {"text": "La reserva tiene un decreto."}},
            }
        },
    )
    # the generic content is not changed in place
    assert indicators_of(generic)["1.1.1"]["text"] == "The site has a legal status."
    result = diff_contents(generic, adapted, LANGS)
    entry = by_lineage(result)["L-1.1.1"]
    assert entry.status == "reworded"
    changes = {(c.field, c.language): c for c in entry.changes}
    assert set(changes) == {("text", "en"), ("thresholds", "en"), ("text", "fr"), ("text", "es")}
    # the generic French text translated words that are gone: it goes with them
    assert changes[("text", "fr")].new is None
    assert changes[("text", "es")].new == "La reserva tiene un decreto."
    # the adapted set lists no means of verification: the generic ones stay
    assert ("means_of_verification", "en") not in changes
    assert result.summary.reworded == 1 and result.summary.unchanged == 3


def test_three_hundred_indicators_compare_quickly():
    old = content()
    criterion = old["components"][0]["criteria"][0]
    criterion["indicators"] = [
        ind(f"1.1.{n}", f"Indicator {n}", f"The site does thing number {n} with care and in time. " * 5)
        for n in range(1, 301)
    ]
    new = copy.deepcopy(old)
    for n, indicator in enumerate(new["components"][0]["criteria"][0]["indicators"]):
        if n % 3 == 0:
            indicator["text"] = indicator["text"].replace("care", "great care")
    start = time.perf_counter()
    result = diff_contents(old, new, LANGS)
    assert time.perf_counter() - start < 2.0
    assert result.summary.reworded == 100 and result.summary.unchanged == 201  # and 1.2.1


def test_number_key_orders_numbers_part_by_part():
    assert sorted(["3.10.1", "3.9.2", "3.1.1"], key=diff.number_key) == ["3.1.1", "3.9.2", "3.10.1"]
    # '²' is a digit to str.isdigit() that int() refuses: a part like any other text
    assert sorted(["3.²", "3.1"], key=diff.number_key) == ["3.1", "3.²"]
