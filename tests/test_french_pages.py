"""No English left in a French (or Spanish) page's visible text: every page string goes through the
catalogues, and the Standard's English fallback is marked lang="en" (issue 15).

The check reads the visible text of each page (scripts, styles, hidden inputs, and anything inside an
element marked lang="en" left out) and looks for common English words that no French or Spanish UI
sentence contains. Names and the people's own texts in this world avoid those words.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reviews import services as review_services
from reviews.tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db

ENGLISH = {"the", "and", "with", "your", "this", "that", "from", "which", "have", "been", "will", "there", "what"}
SKIP_TAGS = {"script", "style", "template", "noscript"}
# Elements whose text stands on its own (a sentence never runs across them).
BLOCKS = {
    "p",
    "div",
    "li",
    "td",
    "th",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "option",
    "label",
    "button",
    "legend",
    "summary",
    "blockquote",
    "span",
    "a",
    "strong",
}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.words.append("\n")
        attrs = dict(attrs)
        hidden = (
            tag in SKIP_TAGS
            or attrs.get("lang", "").startswith("en")
            or "hidden" in attrs
            or (self.stack and self.stack[-1][1])
        )
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            self.stack.append((tag, bool(hidden)))

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.words.append("\n")
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.words.append(data)


def english_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.words)
    found = []
    for sentence in text.split("\n"):
        words = {w.strip(".,:;!?()«»\"'’").lower() for w in sentence.split()}
        if words & ENGLISH:
            found.append(" ".join(sentence.split())[:120])
    return found


@pytest.fixture
def world(area, site_manager, staff, jurisdiction):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review_services.review_start(assessment=assessment, by=staff)
    answer = assessment.answers.order_by("indicator__position").first()
    review_services.information_request_create(
        assessment=assessment, answer=answer, by=staff, question="Procès-verbal 2025 ?"
    )
    return assessment


@pytest.mark.parametrize("language", ["fr", "es"])
def test_pages_have_no_english_left_in_their_visible_text(client, world, site_manager, staff, language):
    pages = [
        (site_manager, "/"),
        (site_manager, reverse("assessments:detail", args=[world.pk])),
        (site_manager, reverse("assessments:list")),
        (staff, "/"),
        (staff, f"/reviews/assessments/{world.pk}/"),
        (staff, "/standard/versions/"),
        (staff, "/areas/import/"),
        (None, "/standard/"),
        (None, "/green-list/"),
        (None, "/areas/"),
    ]
    left = []
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        left += [f"{url}: {sentence}" for sentence in english_words(response.content.decode())]
    assert left == []


def test_the_check_itself_finds_english_and_ignores_what_is_marked_english():
    page = (
        '<html lang="fr"><body><p>Enregistrer</p><p>Save the draft</p><p lang="en">Rights of the site</p></body></html>'
    )
    assert english_words(page) == ["Save the draft"]
