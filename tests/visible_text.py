"""What a person reads on a page: its visible text (scripts, styles, hidden elements and anything
marked lang="en" left out), and the English sentences left in it on a French or Spanish page.

The check looks for common English words that no French or Spanish UI sentence contains; the test
worlds' names and texts avoid them. Used by tests/test_french_pages.py (server pages) and the phone
walk of every role (tests/journeys/test_every_role_on_a_phone.py, the DOM after scripts ran).
"""

from html.parser import HTMLParser

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
