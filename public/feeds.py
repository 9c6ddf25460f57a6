"""Atom feeds of published progress updates: all of them, one recommendation's, one owner's.

The feeds are written here rather than through Django's syndication framework: it asks a
dozen methods per entry, builds each entry as a model instance and writes the XML through
SAX, which made a feed of 50 entries slower than a full page. A feed is a fixed shape (RFC
4287), so it is written as text from plain rows (`.values()`), in the element order and with
the escaping Django's `Atom1Feed` uses: feed readers see the same document.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import urlize
from django.utils.http import http_date
from django.utils.translation import get_language

from public.prepared import Prepared
from public.templating import links, url
from recommendations.models import STATUS_LABELS, Organisation, ProgressUpdate, Recommendation

FEED_LENGTH = 50
CONTENT_TYPE = "application/atom+xml; charset=utf-8"

#: What XML 1.0 cannot carry at all: C0 controls other than tab, newline and carriage return,
#: surrogates and the two non-characters U+FFFE and U+FFFF.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: Whatever `urlize` could turn into a link: a scheme, "www.", an e-mail address or a name
#: under one of the top-level domains it knows. Text without any of these is only escaped.
#: Searched in the lowered text: several times faster than re.IGNORECASE.
MAYBE_LINK = re.compile(r"https?:|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b")
NEWLINE = re.compile(r"\r\n|\r")
PARAGRAPH_BREAK = re.compile(r"\n{2,}")


#: The year in the entries' `tag:` URIs (RFC 4151): when the tracker began to publish under
#: its domain. Fixed, so that an entry's id never changes.
TAG_YEAR = 2016


def tag_uri(specific: str, domain: str | None = None) -> str:
    """A `tag:` URI on the site's own domain (`SITE_URL`, or `domain` as `tag_domain()`
    gave it), whatever host the request named: feed readers tell entries apart by id, so an
    id must not change with the host name."""
    return f"tag:{domain or tag_domain()},{TAG_YEAR}:{specific}"


def tag_domain() -> str | None:
    return urlsplit(settings.SITE_URL).hostname


def summary_html(text: str) -> str:
    """An update's text as HTML for a feed: escaped, in paragraphs, its URLs as links.

    `urlize` escapes everything that is not a URL, and keeps the angle brackets an author
    put around one (`<https://…>`) as text outside the link: a feed reader would otherwise
    take them for a tag and drop the address. Most updates hold no address at all, and for
    them `urlize` (the slow part of a feed) would only escape: they are escaped directly,
    as Django's `escape` does. The paragraphs are Django's `linebreaks`, without its checks
    for lazy text (a feed's texts are plain strings).
    """
    may_link = MAYBE_LINK.search(text.lower())
    escaped = urlize(text, autoescape=True) if may_link else html.escape(text)
    paragraphs = PARAGRAPH_BREAK.split(NEWLINE.sub("\n", escaped))
    return "\n\n".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)


def entry_updated(modified_at: datetime.datetime, pk: int) -> datetime.datetime:
    """When the entry last changed, as Atom's `updated`.

    Updates loaded in one batch (the 2017 report's, from the fixture) carry the same whole
    second; within it they are told apart by their write order (the row id, as microseconds),
    because feed readers and the W3C validator take identical values for a generator fault.
    """
    if modified_at.microsecond:
        return modified_at
    return modified_at.replace(microsecond=pk % 1_000_000)


def xml_safe(value: str) -> str:
    """The text without the characters XML 1.0 forbids: text can reach the database with
    one (an older import, a direct write), and the feed is then still served without it
    rather than answering 500."""
    return XML_FORBIDDEN.sub("", value)


def element(name: str, text: str, attributes: str = "") -> str:
    """`<name attributes>text</name>`, the text escaped as Django's feed writer escapes it."""
    return f"<{name}{attributes}>{escape(xml_safe(text))}</{name}>"


def link(href: str, rel: str) -> str:
    return f"<link href={quoteattr(xml_safe(href))} rel={quoteattr(rel)}/>"


def rfc3339(value: datetime.datetime) -> str:
    return value.isoformat() + ("Z" if value.utcoffset() is None else "")


class UpdatesFeed:
    """The latest published progress updates on every recommendation."""

    author_name = "Mayor's Office for Policing and Crime (MOPAC)"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object(request, *args, **kwargs)
        site = iri_to_uri(f"{'https' if request.is_secure() else 'http'}://{request.get_host()}")
        rows = self.rows(obj)
        # Read once per feed: the zone is a thread-local, the links' URL configuration is
        # another, and the ids' domain is a setting.
        zone = timezone.get_current_timezone()
        detail, domain = links("recommendations:detail"), tag_domain()
        entries = [self.entry(row, site, zone, detail, domain) for row in rows]
        # As Django's feeds: the newest of the entries' dates, or now when there is none.
        updated = max(
            (date for _, dates in entries for date in dates),
            default=datetime.datetime.now(tz=datetime.UTC),
        )
        body = [self.head(obj, site + iri_to_uri(request.path), site, updated)]
        body += [xml for xml, _ in entries]
        body.append("</feed>")
        response = HttpResponse("".join(body), content_type=CONTENT_TYPE)
        # When the feed last changed, for readers that show or compare it.
        response.headers["Last-Modified"] = http_date(updated.timestamp())
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return None

    def title(self, obj: Any) -> str:
        return "Harris Review Tracker: progress updates"

    def subtitle(self, obj: Any) -> str:
        return "Published progress updates on the Harris Review's 127 recommendations."

    def link(self, obj: Any) -> str:
        return url("recommendations:home")

    #: Whether the updates are those of one object (`updates()` is given its primary key).
    of_one = False

    def updates(self, pk: int | None = None) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published()

    def rows(self, obj: Any) -> list[tuple]:
        """The newest `FEED_LENGTH` of `updates()`, as rows of (pk, date, status, text,
        modified_at, the recommendation's number): their SQL made once for each kind of
        feed (see public/prepared.py)."""
        feed = type(self)
        if "_rows" not in feed.__dict__:
            feed._rows = Prepared(
                lambda *pk: (
                    self.updates(*pk)
                    .newest_first()
                    .values_list(
                        "pk", "date", "status", "text", "modified_at", "recommendation__number"
                    )[:FEED_LENGTH]
                ),
                1 if self.of_one else 0,
            )
        return feed._rows(obj.pk) if self.of_one else feed._rows()

    def head(self, obj: Any, feed_url: str, site: str, updated: datetime.datetime) -> str:
        """The XML declaration and the feed's own elements, up to its first entry."""
        language = get_language()
        lang = f" xml:lang={quoteattr(language)}" if language else ""
        path = self.link(obj)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed{lang} xmlns="http://www.w3.org/2005/Atom">'
            + element("title", self.title(obj))
            + link(site + iri_to_uri(path), "alternate")
            + link(feed_url, "self")
            + element("id", tag_uri(f"feed:{path}"))
            + element("updated", rfc3339(updated))
            + "<author>"
            + element("name", self.author_name)
            + "</author>"
            + element("subtitle", self.subtitle(obj))
        )

    def entry(
        self,
        row: tuple,
        site: str,
        zone: datetime.tzinfo,
        detail: Callable[..., str],
        domain: str,
    ) -> tuple[str, tuple[datetime.datetime, ...]]:
        """One update as an <entry>, and its dates (for the feed's `updated`).

        Its summary is HTML carried as text (type="html"): markup an officer typed reaches a
        feed reader as text, escaped; only paragraphs and links are HTML.
        """
        pk, day, status, text, modified_at, number = row
        href = f"{site}{detail(number=number)}#update-{pk}"
        # Midnight of the update's date in the site's zone, as timezone.make_aware() gives it.
        published = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
        updated = entry_updated(modified_at, pk)
        xml = (
            "<entry>"
            + element("title", f"Recommendation {number}: {STATUS_LABELS[status]}")
            + link(href, "alternate")
            + element("published", rfc3339(published))
            + element("updated", rfc3339(updated))
            + element("id", tag_uri(f"update:{pk}", domain))
            + element("summary", summary_html(text), ' type="html"')
            + "</entry>"
        )
        return xml, (published, updated)


class RecommendationUpdatesFeed(UpdatesFeed):
    """One recommendation's published progress updates."""

    def get_object(self, request: HttpRequest, number: int) -> Recommendation:
        return get_object_or_404(Recommendation, number=number)

    def title(self, obj: Recommendation) -> str:
        return f"Harris Review Tracker: progress updates on recommendation {obj.number}"

    def subtitle(self, obj: Recommendation) -> str:
        return f"Published progress updates on recommendation {obj.number}."

    def link(self, obj: Recommendation) -> str:
        return url("recommendations:detail", number=obj.number)

    of_one = True

    def updates(self, pk: int | None = None) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published().filter(recommendation=pk)


class OrganisationUpdatesFeed(UpdatesFeed):
    """Published progress updates on the recommendations one organisation owns."""

    def get_object(self, request: HttpRequest, slug: str) -> Organisation:
        return get_object_or_404(Organisation, slug=slug)

    def title(self, obj: Organisation) -> str:
        return f"Harris Review Tracker: progress updates on {obj.display_name}'s recommendations"

    def subtitle(self, obj: Organisation) -> str:
        return f"Published progress updates on the recommendations {obj} owns."

    def link(self, obj: Organisation) -> str:
        return url("recommendations:organisation", slug=obj.slug)

    of_one = True

    def updates(self, pk: int | None = None) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published().filter(recommendation__owners=pk)
