"""The Standard the platform ships (standards/data/gls-v1.1.yaml) against every known fact in the
project's domain notes (GREENLIST.md, "Indicator counts and contents: what is known").

A file that gives criterion 1.1 five indicators, component 2 twelve or criterion 3.1 four is
known to be wrong; so is one that presents the platform's words as IUCN's."""

import re

import pytest
import yaml

from standards import content
from standards.models import Component, Criterion, Indicator, Standard, Wording
from standards.services import standard_load
from standards.tests.factories import GLS_PATH
from standards.texts import LIST_TEXTS, TRANSLATABLE, missing_translations, target_languages

# The criterion titles of the Standard, exactly as the domain notes' table gives them.
CRITERIA = {
    "1.1": "Guarantee legitimacy and voice",
    "1.2": "Achieve transparency and accountability",
    "1.3": "Enable governance vitality and capacity to respond adaptively",
    "2.1": "Identify and understand major site values",
    "2.2": "Design for long-term conservation of major site values",
    "2.3": "Understand threats and challenges to major site values",
    "2.4": "Understand the social and economic context",
    "3.1": "Develop and implement a long-term management strategy",
    "3.2": "Manage ecological condition",
    "3.3": "Manage within the social and economic context of the site",
    "3.4": "Manage threats",
    "3.5": "Effectively and fairly enforce laws and regulations",
    "3.6": "Manage access, resource use and visitation",
    "3.7": "Measure success",
    "4.1": "Demonstrate conservation of major natural values",
    "4.2": "Demonstrate conservation of major associated ecosystem services",
    "4.3": "Demonstrate conservation of major cultural values",
}
COMPONENTS = {
    "1": "Good governance",
    "2": "Sound design and planning",
    "3": "Effective management",
    "4": "Successful conservation outcomes",
}
# Indicators whose topic a source gives (official page, secondary or unofficial): their words are
# the platform's paraphrase. Every other indicator's wording is pending the official text.
TOPIC_KNOWN = {
    *(f"1.1.{n}" for n in range(1, 7)),
    "1.2.2",
    "1.2.3",
    "1.2.4",
    "1.3.1",
    "1.3.3",
    *(f"2.1.{n}" for n in range(1, 5)),
    "2.2.1",
    "2.2.2",
    *(f"3.1.{n}" for n in range(1, 7)),
    "4.1.1",
    "4.1.2",
    "4.2.1",
    "4.3.1",
}
# What each known indicator is about, as words its English text must contain (case-insensitive):
# the topic, not IUCN's wording.
TOPICS = {
    "1.1.1": ["governance structure", "recognised authority"],
    "1.1.2": ["local governance", "civil society", "rights-holders", "planning"],
    "1.1.3": ["rights", "Indigenous Peoples", "local communities"],
    "1.1.4": ["rights-holders", "stakeholders", "decision-making", "adaptive management", "EAGL"],
    "1.1.5": ["gender equity"],
    "1.1.6": ["main constituents", "accept", "governance arrangements"],
    "1.2.2": ["governing body", "appointed", "public"],
    "1.2.3": ["information", "public", "sensitive"],
    "1.2.4": ["fair", "accessible", "complaints", "grievances"],
    "1.3.1": ["monitoring", "adjust planning and management"],
    "1.3.3": ["several sources of knowledge"],
    "2.1.1": ["IUCN definition of a protected area", "conserved area", "OECM"],
    "2.1.2": ["World Database on Protected Areas", "WDPA", "management category", "OECM", "governance type"],
    "2.1.3": ["management plan", "equivalent", "into practice"],
    "2.1.4": ["major natural values", "ecosystem services", "cultural values", "up to date"],
    "2.2.1": ["coherent", "connected", "major values"],
    "2.2.2": ["network"],
    "3.1.1": ["management plan", "objectives", "allowed", "forbidden", "zoning"],
    "3.1.2": ["activities and rules", "carried out as planned"],
    "3.1.3": ["equipment", "infrastructure", "maintained"],
    "3.1.4": ["enough staff", "training", "safety", "wellbeing"],
    "3.1.5": ["equity", "gender"],
    "3.1.6": ["financial constraints", "capacity"],
    "4.1.1": ["major natural values", "species", "habitats", "land cover", "performance thresholds"],
    "4.1.2": ["major natural value", "performance threshold"],
    "4.2.1": ["major ecosystem services"],
    "4.3.1": ["major cultural values"],
}
# The meaning of an indicator across versions (its lineage) compared with the first shipped file:
# these changed meaning (answers must not follow them), this one kept its meaning under a new
# number, and every other one kept both number and meaning.
NEW_MEANING = {
    "1.1.6",
    "1.2.2",
    "2.1.1",
    "2.1.2",
    "2.1.3",
    "2.1.4",
    "2.2.1",
    "2.2.2",
    "3.1.3",
    "3.1.4",
    "3.1.5",
    "3.1.6",
}
MOVED = {"1.2.3": "GLS-1.2.2"}
# Numbers of the first shipped file that have no successor (their answers stay in the history).
DROPPED = {"1.2.3", "2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.2.1", "2.2.2", "2.4.3", "3.1.3", "3.1.4", "3.3.3", "3.6.3"}
FIRST_SHIPPED_NUMBERS = {
    *(f"1.1.{n}" for n in range(1, 6)),
    *(f"1.2.{n}" for n in range(1, 5)),
    *(f"1.3.{n}" for n in range(1, 4)),
    *(f"2.1.{n}" for n in range(1, 5)),
    *(f"2.2.{n}" for n in range(1, 4)),
    *(f"2.3.{n}" for n in range(1, 3)),
    *(f"2.4.{n}" for n in range(1, 4)),
    *(f"3.1.{n}" for n in range(1, 5)),
    *(f"3.2.{n}" for n in range(1, 4)),
    *(f"3.3.{n}" for n in range(1, 4)),
    *(f"3.4.{n}" for n in range(1, 3)),
    *(f"3.5.{n}" for n in range(1, 3)),
    *(f"3.6.{n}" for n in range(1, 4)),
    *(f"3.7.{n}" for n in range(1, 4)),
    *(f"4.{c}.{n}" for c in range(1, 4) for n in range(1, 3)),
}


@pytest.fixture
def shipped(db) -> Standard:
    result = standard_load(GLS_PATH)
    assert result.created
    return result.standard


def _indicators(standard: Standard) -> dict[str, Indicator]:
    return {i.number: i for i in Indicator.objects.filter(standard=standard).order_by("position")}


def test_the_shipped_file_validates_with_no_problem():
    data = content.normalise(yaml.safe_load(GLS_PATH.read_text()))
    assert content.validate(data) == []
    counts = content.counts_of(data)
    assert (counts.components, counts.criteria, counts.indicators) == (4, 17, 50)


def test_counts_per_component_and_criterion_follow_every_known_fact(shipped):
    per_component = {
        number: Indicator.objects.filter(standard=shipped, criterion__component__number=number).count()
        for number in COMPONENTS
    }
    per_criterion = {
        number: Indicator.objects.filter(standard=shipped, criterion__number=number).count() for number in CRITERIA
    }
    assert sum(per_component.values()) == 50
    assert per_component["2"] == 11
    assert per_component["3"] == 20
    assert per_component["1"] + per_component["4"] == 19
    assert per_criterion["2.1"] == 4
    assert per_criterion["1.1"] >= 6
    assert per_criterion["3.1"] >= 6
    assert per_criterion["1.2"] >= 4
    assert per_criterion["1.3"] >= 3
    assert per_criterion["4.1"] >= 2
    assert per_criterion["4.2"] >= 1 and per_criterion["4.3"] >= 1
    assert 4 <= per_component["4"] <= 6
    assert per_criterion["2.2"] >= 2
    assert per_criterion["2.2"] + per_criterion["2.3"] + per_criterion["2.4"] == 7
    # every criterion has an indicator: the Standard is met only when all 17 are
    assert all(count >= 1 for count in per_criterion.values())


def test_component_and_criterion_titles_are_the_standards_own(shipped):
    components = Component.objects.filter(standard=shipped)
    assert {c.number: c.title for c in components} == COMPONENTS
    criteria = Criterion.objects.filter(component__standard=shipped)
    assert {c.number: c.title for c in criteria} == CRITERIA


def test_indicators_are_numbered_without_gaps_under_their_criterion(shipped):
    for criterion in Criterion.objects.filter(component__standard=shipped):
        numbers = list(criterion.indicators.order_by("position").values_list("number", flat=True))
        assert numbers == [f"{criterion.number}.{n}" for n in range(1, len(numbers) + 1)]
    codes = set(Indicator.objects.filter(standard=shipped).values_list("code", flat=True))
    assert {"GLS-V1.1-1.1.6", "GLS-V1.1-2.1.4", "GLS-V1.1-3.1.6", "GLS-V1.1-4.3.2"} <= codes


@pytest.mark.parametrize("number", sorted(TOPICS))
def test_known_topics_are_where_the_sources_put_them(shipped, number):
    indicator = Indicator.objects.get(standard=shipped, number=number)
    text = f"{indicator.title} {indicator.text}".lower()
    missing = [word for word in TOPICS[number] if word.lower() not in text]
    assert not missing, f"{number} ({indicator.title}) does not speak of {missing}"


def test_eligibility_indicators_say_the_wdpa_can_pre_check_them(shipped):
    for number in ("2.1.1", "2.1.2"):
        indicator = Indicator.objects.get(standard=shipped, number=number)
        assert "eligibility" in indicator.guidance.lower() and "WDPA" in indicator.guidance
    # the old meaning of 2.1.2 (ecosystem services) is gone from that number
    assert "ecosystem service" not in Indicator.objects.get(standard=shipped, number="2.1.2").text


def test_no_indicator_claims_iucns_wording_and_every_unknown_one_is_pending(shipped):
    wording = {number: i.wording for number, i in _indicators(shipped).items()}
    assert Wording.OFFICIAL not in wording.values()
    assert {n for n, w in wording.items() if w == Wording.PARAPHRASE} == TOPIC_KNOWN
    assert {n for n, w in wording.items() if w == Wording.PENDING} == set(wording) - TOPIC_KNOWN
    # a pending indicator still has a working text and means of verification, so sites can work
    for indicator in _indicators(shipped).values():
        assert indicator.title.strip() and indicator.text.strip() and indicator.means_of_verification


def test_means_of_verification_are_lists_of_short_items(shipped):
    for indicator in _indicators(shipped).values():
        mov = indicator.means_of_verification
        assert isinstance(mov, list) and 1 <= len(mov) <= 6, indicator.number
        assert all(isinstance(item, str) and 0 < len(item) <= 200 for item in mov), indicator.number


def test_no_related_sdg_is_invented(shipped):
    # No readable source gives the official table's "Related SDGs" column: none is guessed, and
    # the provenance says so. Whoever adds SDGs here must name their source there.
    assert all(indicator.sdgs == [] for indicator in _indicators(shipped).values())
    assert "Related SDGs" in shipped.provenance and "could not" in shipped.provenance


def test_every_text_has_a_french_and_a_spanish_translation(shipped):
    assert set(target_languages()) == {"fr", "es"}
    rows = [
        (shipped, "standard"),
        *((c, "component") for c in Component.objects.filter(standard=shipped)),
        *((c, "criterion") for c in Criterion.objects.filter(component__standard=shipped)),
        *((i, "indicator") for i in Indicator.objects.filter(standard=shipped)),
    ]
    assert len(rows) == 1 + 4 + 17 + 50
    for obj, kind in rows:
        for language in ("fr", "es"):
            where = f"{kind} {getattr(obj, 'number', '')} ({language})"
            assert missing_translations(obj, kind, language) == [], where
            for field in TRANSLATABLE[kind]:
                english = getattr(obj, field)
                if not english:
                    continue
                translated = obj.translations[language][field]
                if field in LIST_TEXTS:
                    assert len(translated) == len(english), f"{where}: one translation per item of {field}"
                    assert all(t != e for t, e in zip(translated, english, strict=True)), where
                else:
                    assert translated != english, f"{where}: {field} is the English text"


def test_translations_keep_the_acronyms_and_numbers_of_the_english(shipped):
    # A translated text that loses "WDPA", "2.3" or "EAGL" no longer says the same thing.
    token = re.compile(r"\b(?:WDPA|EAGL|IUCN_CAT|GOV_TYPE|PA_DEF|\d\.\d)\b")
    for indicator in _indicators(shipped).values():
        english = set(token.findall(f"{indicator.title} {indicator.text} {indicator.guidance}"))
        for language in ("fr", "es"):
            fields = indicator.translations[language]
            translated = " ".join(str(fields.get(f, "")) for f in ("title", "text", "guidance"))
            assert english <= set(token.findall(translated)), f"{indicator.number} ({language})"


def test_lineage_is_unique_and_follows_meaning_not_number(shipped):
    indicators = _indicators(shipped)
    lineages = [i.lineage for i in indicators.values()]
    assert len(set(lineages)) == len(lineages) == 50
    for number, indicator in indicators.items():
        if number in NEW_MEANING:
            # a new key, which no indicator of the first shipped file carries
            assert indicator.lineage.startswith("GLS-2026-"), number
            assert indicator.lineage.removeprefix("GLS-") not in FIRST_SHIPPED_NUMBERS, number
        elif number in MOVED:
            assert indicator.lineage == MOVED[number]
        else:
            assert indicator.lineage == f"GLS-{number}", number
            assert number in FIRST_SHIPPED_NUMBERS, number
    kept = {lineage.removeprefix("GLS-") for lineage in lineages if not lineage.startswith("GLS-2026-")}
    assert FIRST_SHIPPED_NUMBERS - kept == DROPPED


def test_provenance_says_what_is_official_paraphrased_pending_and_chosen(shipped):
    text = shipped.provenance
    for phrase in ("paraphrase", "pending", "platform's choice", "translation", "COUNTS", "LINEAGE"):
        assert phrase in text, phrase
    header = GLS_PATH.read_text().split("standard:", 1)[0]
    assert "PLATFORM'S CHOICE" in header and "wording pending" in header


def test_every_rating_of_the_shipped_scale_has_french_and_spanish_words(shipped):
    for rating in shipped.rating_scale:
        for language in ("fr", "es"):
            words = rating["translations"][language]
            assert words["label"] and words["description"], (rating["code"], language)
            assert words["label"] != rating["label"]
