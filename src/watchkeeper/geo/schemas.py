"""What the geo endpoints take (one input path: the API and the command-line import validate the same)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from watchkeeper.core.validate import Moment

MAX_GAZETTEER_ROWS = 5000


class PositionIn(Schema):
    """Where a unit is (WGS84 degrees) and when it was there (the device's time; now when left out)."""

    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)
    at: Moment | None = None


class PlaceIn(Schema):
    uprn: Annotated[str, Field(max_length=12)] = ""
    postcode: Annotated[str, Field(max_length=10)] = ""
    address: Annotated[str, Field(max_length=300)] = ""
    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)


class GazetteerIn(Schema):
    """A batch of gazetteer places (at most 5,000 a request; a CSV of any size is loaded in batches by the
    `import-gazetteer` command). Each needs a UPRN, a postcode or an address."""

    source: Annotated[str, Field(min_length=1, max_length=100)]
    places: Annotated[list[PlaceIn], Field(min_length=1, max_length=MAX_GAZETTEER_ROWS)]
