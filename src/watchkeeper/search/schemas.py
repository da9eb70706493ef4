"""What a search takes and gives, as the API and the search page both use it (one input path): the page's
form fields are these names, validated by the same schema (`watchkeeper.web.forms.parse_form`)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema

from watchkeeper.core.validate import Day

Short = Annotated[str, Field(max_length=64)]

STATUSES = ("open", "closed", "cancelled", "merged")
AREAS = ("urban", "rural")
MAX_PAGE = 50
MAX_PER_PAGE = 50


class SearchIn(Schema):
    """A search across logs. `q`: words said, names, places, phones, references ("quoted phrases" match as
    written). `person`, `address`, `phone` look only at the people, places or phones on a log. Filters narrow
    the logs; every term and filter must match. Newest first unless `sort` is relevance."""

    q: Annotated[str, Field(max_length=200)] = ""
    person: Annotated[str, Field(max_length=120)] = ""
    address: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    date_from: Day | None = None
    date_to: Day | None = None
    category: Short = ""
    grade: Short = Field("", description="a grade code, or 'ungraded'")
    status: Literal["", "open", "closed", "cancelled", "merged"] = ""
    area: Literal["", "urban", "rural"] = Field("", description="the log's area type (its response clock)")
    flags: Annotated[list[Short], Field(max_length=5)] = Field(default_factory=list)
    sort: Literal["newest", "relevance"] = "newest"
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = 20


class SearchHit(Schema):
    reference: str
    url: str
    created_at: str
    category: str
    category_label: str
    summary: str
    location: str
    grade: str | None
    grade_label: str
    status: str
    flags: list[str]
    snippet: str = Field(description="the best matching passage, plain text")
    snippet_html: str = Field(description="the same passage as HTML: the text escaped, matched words in <mark>")


class SearchOut(Schema):
    results: list[SearchHit]
    page: int
    per_page: int
    has_more: bool
