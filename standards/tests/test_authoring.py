"""The keepers' drafts of the Standard (standards/authoring.py): who may, frozen published
versions, revisions, renumbering, lineage, publishing (issue 14)."""

import pytest

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from standards import authoring, content, error_codes
from standards.models import Criterion, Indicator, Standard, Wording


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


@pytest.fixture
def draft(standard, keeper):
    return authoring.draft_create(source=standard, by=keeper, version="1.2")


def numbers(criterion):
    return list(criterion.indicators.order_by("position").values_list("number", flat=True))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- drafts --------------------------------------------------------------------------------------


def test_a_draft_copies_the_version_with_its_lineages(standard, keeper):
    # when
    draft = authoring.draft_create(source=standard, by=keeper, version="1.2")
    # then a draft based on it, same content but the label, same lineages, codes of the new label
    assert draft.is_draft and draft.based_on == standard and draft.published_at is None
    assert draft.created_by == keeper and draft.revision == 1
    old, new = content.content_of(standard), content.content_of(draft)
    assert new["standard"]["version"] == "1.2"
    assert new["components"] == old["components"]
    assert set(Indicator.objects.filter(standard=draft).values_list("lineage", flat=True)) == set(
        Indicator.objects.filter(standard=standard).values_list("lineage", flat=True)
    )
    assert Indicator.objects.filter(standard=draft, code="GLS-V1.2-1.1.1").exists()
    assert AuditEvent.objects.filter(action="standard.draft_created", target_id=str(draft.pk)).exists()


@pytest.mark.parametrize("label", ["", "   ", "1.1", "x" * 21])
def test_a_draft_needs_a_free_version_label(standard, keeper, label):
    with pytest.raises(DomainError) as exc:
        authoring.draft_create(source=standard, by=keeper, version=label)
    assert exc.value.code in {error_codes.STANDARD_DRAFT_INVALID, error_codes.STANDARD_VERSION_TAKEN}
    assert Standard.objects.count() == 1


def test_two_drafts_may_not_share_a_label(standard, keeper, draft):
    with pytest.raises(DomainError) as exc:
        authoring.draft_create(source=standard, by=keeper, version="1.2")
    assert exc.value.code == error_codes.STANDARD_VERSION_TAKEN


@pytest.mark.parametrize("who", ["staff", "admin_user", "site_manager", "expert", "outsider"])
def test_only_keepers_author(request, standard, keeper, draft, who):
    # IUCN staff WITHOUT the Committee role, administrators and everyone else are refused
    person = request.getfixturevalue(who)
    indicator = draft.indicators.first()
    before = AuditEvent.objects.count()
    calls = [
        lambda: authoring.draft_create(source=standard, by=person, version="9"),
        lambda: authoring.draft_update(draft=draft, by=person, revision=1, texts={"en": {"title": "X"}}),
        lambda: authoring.indicator_update(indicator=indicator, by=person, revision=1, sdgs=[1]),
        lambda: authoring.indicator_remove(indicator=indicator, by=person, revision=1),
        lambda: authoring.draft_publish(draft=draft, by=person, revision=1),
        lambda: authoring.draft_delete(draft=draft, by=person),
    ]
    for call in calls:
        with pytest.raises(NotAllowed) as exc:
            call()
        assert exc.value.code == error_codes.STANDARD_KEEPERS_ONLY
    assert AuditEvent.objects.count() == before
    assert fresh(draft).revision == 1


def test_a_published_version_never_changes(standard, keeper):
    indicator = standard.indicators.first()
    component = standard.components.first()
    criterion = Criterion.objects.filter(component=component).first()
    calls = [
        lambda: authoring.draft_update(draft=standard, by=keeper, revision=standard.revision, version="9"),
        lambda: authoring.component_update(
            component=component, by=keeper, revision=standard.revision, texts={"en": {"title": "X"}}
        ),
        lambda: authoring.criterion_update(
            criterion=criterion, by=keeper, revision=standard.revision, texts={"en": {"title": "X"}}
        ),
        lambda: authoring.indicator_update(indicator=indicator, by=keeper, revision=standard.revision, sdgs=[1]),
        lambda: authoring.indicator_add(
            criterion=criterion, by=keeper, revision=standard.revision, texts={"en": {"title": "T", "text": "X"}}
        ),
        lambda: authoring.indicator_remove(indicator=indicator, by=keeper, revision=standard.revision),
        lambda: authoring.indicator_move(
            indicator=indicator, by=keeper, revision=standard.revision, to_criterion=criterion, position=2
        ),
        lambda: authoring.draft_publish(draft=standard, by=keeper, revision=standard.revision),
        lambda: authoring.draft_delete(draft=standard, by=keeper),
    ]
    before = content.content_of(standard)
    for call in calls:
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.code == error_codes.STANDARD_PUBLISHED_FROZEN
        assert "never changes" in exc.value.message
    assert content.content_of(fresh(standard)) == before


def test_an_edit_from_an_old_revision_is_a_conflict_and_changes_nothing(draft, keeper):
    indicator = draft.indicators.order_by("position").first()
    authoring.indicator_update(indicator=indicator, by=keeper, revision=1, texts={"fr": {"title": "Titre A"}})
    assert fresh(draft).revision == 2
    # when a second keeper, who opened the page at revision 1, saves
    with pytest.raises(Conflict) as exc:
        authoring.indicator_update(indicator=indicator, by=keeper, revision=1, texts={"fr": {"title": "Titre B"}})
    # then refused, with the current revision named; the first keeper's words stay
    assert exc.value.code == error_codes.STANDARD_DRAFT_CHANGED
    assert exc.value.data == {"revision": 2}
    assert fresh(indicator).translations["fr"]["title"] == "Titre A"
    assert fresh(draft).revision == 2


def test_draft_meta_and_its_version_in_the_codes(draft, keeper):
    authoring.draft_update(
        draft=draft,
        by=keeper,
        revision=1,
        version="2.0",
        provenance="Committee meeting of 3 March",
        texts={"en": {"title": "New title"}, "fr": {"title": "Nouveau titre"}},
    )
    draft = fresh(draft)
    assert (draft.version, draft.title, draft.provenance) == ("2.0", "New title", "Committee meeting of 3 March")
    assert draft.translations["fr"] == {"title": "Nouveau titre"}
    assert draft.revision == 2
    assert Indicator.objects.filter(standard=draft, code="GLS-V2.0-1.1.1").exists()
    assert not Indicator.objects.filter(standard=draft, code__startswith="GLS-V1.2").exists()


def test_component_and_criterion_texts_per_language(draft, keeper):
    component = draft.components.order_by("position").first()
    authoring.component_update(
        component=component, by=keeper, revision=1, texts={"es": {"title": "Buena gobernanza", "description": "D"}}
    )
    criterion = Criterion.objects.filter(component=component).order_by("position").first()
    authoring.criterion_update(criterion=criterion, by=keeper, revision=2, texts={"en": {"description": "Plain words"}})
    assert fresh(component).translations["es"] == {"title": "Buena gobernanza", "description": "D"}  # both given
    assert fresh(criterion).description == "Plain words"
    assert fresh(draft).revision == 3
    # an empty translation removes it (English stands in again, marked)
    authoring.component_update(component=component, by=keeper, revision=3, texts={"es": {"title": ""}})
    assert fresh(component).translations["es"] == {"description": "D"}


def test_an_indicator_reworded_in_french_with_an_sdg_keeps_its_lineage(draft, keeper):
    indicator = draft.indicators.order_by("position").first()
    lineage = indicator.lineage
    authoring.indicator_update(
        indicator=indicator,
        by=keeper,
        revision=1,
        texts={
            "fr": {"title": "Titre", "text": "Texte", "means_of_verification": "Décret\n\nCarte\n", "guidance": "G"},
            "en": {"guidance": "Look at the decree."},
        },
        sdgs=[15, 14, 15],
        wording=Wording.OFFICIAL,
    )
    indicator = fresh(indicator)
    assert indicator.translations["fr"] == {
        "title": "Titre",
        "text": "Texte",
        "means_of_verification": ["Décret", "Carte"],
        "guidance": "G",
    }
    assert indicator.guidance == "Look at the decree."
    assert indicator.sdgs == [14, 15] and indicator.wording == Wording.OFFICIAL
    assert indicator.lineage == lineage
    event = AuditEvent.objects.get(action="standard.indicator_updated")
    assert event.data["changed"]["fr.title"] == "Titre"


def test_a_changed_meaning_gets_a_new_lineage(draft, keeper, standard):
    indicator = draft.indicators.order_by("position").first()
    old = indicator.lineage
    authoring.indicator_update(indicator=indicator, by=keeper, revision=1, meaning_changed=True)
    new = fresh(indicator).lineage
    assert new != old and not Indicator.objects.filter(standard=standard, lineage=new).exists()


def test_bad_edits_list_every_problem_and_save_nothing(draft, keeper):
    indicator = draft.indicators.order_by("position").first()
    before = content.content_of(draft)
    with pytest.raises(DomainError) as exc:
        authoring.indicator_update(
            indicator=indicator,
            by=keeper,
            revision=1,
            texts={"en": {"title": "", "colour": "red"}, "de": {"title": "Titel"}, "fr": {"title": "x" * 301}},
            sdgs=[0, 18],
            wording="invented",
        )
    assert exc.value.code == error_codes.STANDARD_DRAFT_INVALID
    fields = sorted(str(p["field"]) for p in exc.value.data["problems"])
    assert fields == ["None", "colour", "sdgs", "title", "title", "wording"]
    assert content.content_of(fresh(draft)) == before and fresh(draft).revision == 1


def test_add_remove_and_move_renumber_and_keep_lineage(draft, keeper):
    criteria = list(Criterion.objects.filter(component__standard=draft).order_by("component__position", "position"))
    first, second = criteria[0], criteria[1]
    n1, n2 = len(numbers(first)), len(numbers(second))
    one = first.indicators.get(number=f"{first.number}.1")
    # add after .1: the new one is .2, the old .2 becomes .3
    old_two = first.indicators.get(number=f"{first.number}.2")
    added = authoring.indicator_add(
        criterion=first, by=keeper, revision=1, after=one, texts={"en": {"title": "New", "text": "A new one"}}, sdgs=[6]
    )
    assert added.number == f"{first.number}.2" and added.code == f"GLS-V1.2-{first.number}.2"
    assert fresh(old_two).number == f"{first.number}.3"
    assert numbers(first) == [f"{first.number}.{i}" for i in range(1, n1 + 2)]
    # move .1 to second place of the next criterion
    lineage = one.lineage
    moved = authoring.indicator_move(indicator=one, by=keeper, revision=2, to_criterion=second, position=2)
    assert moved.number == f"{second.number}.2" and fresh(moved).lineage == lineage
    assert numbers(first) == [f"{first.number}.{i}" for i in range(1, n1 + 1)]
    assert numbers(second) == [f"{second.number}.{i}" for i in range(1, n2 + 2)]
    # remove the new one
    authoring.indicator_remove(indicator=fresh(added), by=keeper, revision=3)
    assert numbers(first) == [f"{first.number}.{i}" for i in range(1, n1)]
    # positions run 1..n over the whole Standard in tree order, codes follow numbers
    rows = list(Indicator.objects.filter(standard=draft).order_by("position"))
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.code == f"GLS-V1.2-{r.number}" for r in rows)
    assert [r.number for r in rows] == [
        i.number
        for c in criteria
        for i in sorted(Indicator.objects.filter(criterion=c), key=lambda i: int(i.number.split(".")[-1]))
    ]
    assert fresh(draft).revision == 4
    assert content.validate(content.content_of(draft)) == []


def test_a_move_within_a_criterion_swaps_numbers(draft, keeper):
    criterion = Criterion.objects.filter(component__standard=draft).order_by("component__position", "position")[0]
    one = criterion.indicators.get(number=f"{criterion.number}.1")
    two = criterion.indicators.get(number=f"{criterion.number}.2")
    authoring.indicator_move(indicator=one, by=keeper, revision=1, to_criterion=criterion, position=2)
    assert (fresh(one).number, fresh(two).number) == (f"{criterion.number}.2", f"{criterion.number}.1")


def test_a_move_out_of_range_or_to_another_version_is_refused(draft, keeper, standard):
    criterion = Criterion.objects.filter(component__standard=draft).order_by("component__position", "position")[0]
    indicator = criterion.indicators.first()
    for to, position in (
        (criterion, 0),
        (criterion, 99),
        (Criterion.objects.filter(component__standard=standard)[0], 1),
    ):
        with pytest.raises(DomainError) as exc:
            authoring.indicator_move(indicator=indicator, by=keeper, revision=1, to_criterion=to, position=position)
        assert exc.value.code == error_codes.STANDARD_MOVE_INVALID
    assert fresh(draft).revision == 1


def test_publish_refuses_an_invalid_draft_listing_every_problem(draft, keeper):
    # given a criterion left with no indicator and an indicator with an unknown wording in the table
    criterion = Criterion.objects.filter(component__standard=draft).order_by("component__position", "position")[0]
    revision = 1
    for indicator in list(criterion.indicators.all()):
        authoring.indicator_remove(indicator=indicator, by=keeper, revision=revision)
        revision += 1
    Indicator.objects.filter(standard=draft, number="2.1.1").update(wording="invented")
    # when
    with pytest.raises(DomainError) as exc:
        authoring.draft_publish(draft=draft, by=keeper, revision=revision)
    # then both problems are listed, and the draft stays a draft
    assert exc.value.code == error_codes.STANDARD_DRAFT_NOT_PUBLISHABLE
    problems = exc.value.data["problems"]
    assert len(problems) == 2
    assert {(p["number"], p["field"]) for p in problems} == {(criterion.number, "indicators"), ("2.1.1", "wording")}
    assert fresh(draft).is_draft


def test_publish_freezes_the_draft_with_the_sha_of_its_content(draft, keeper):
    published = authoring.draft_publish(draft=draft, by=keeper, revision=1)
    published = fresh(published)
    assert published.status == Standard.Status.PUBLISHED
    assert published.published_by == keeper and published.published_at is not None
    assert published.source_sha256 == authoring.content_sha256(content.content_of(published))
    assert len(published.source_sha256) == 64
    with pytest.raises(Conflict) as exc:
        authoring.indicator_update(
            indicator=published.indicators.first(), by=keeper, revision=published.revision, sdgs=[1]
        )
    assert exc.value.code == error_codes.STANDARD_PUBLISHED_FROZEN
    assert AuditEvent.objects.filter(action="standard.published", target_id=str(published.pk)).exists()


def test_delete_a_draft_unless_something_was_made_from_it(draft, keeper):
    child = authoring.draft_create(source=draft, by=keeper, version="1.3")
    with pytest.raises(DomainError) as exc:
        authoring.draft_delete(draft=draft, by=keeper)
    assert exc.value.code == error_codes.STANDARD_DRAFT_IN_USE
    assert Standard.objects.filter(pk=draft.pk).exists()
    authoring.draft_delete(draft=child, by=keeper)
    authoring.draft_delete(draft=draft, by=keeper)
    assert not Standard.objects.filter(pk__in=[draft.pk, child.pk]).exists()
    assert AuditEvent.objects.filter(action="standard.draft_deleted").count() == 2
