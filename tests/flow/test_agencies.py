"""The agency directory: each agency is reached by an endpoint or by a number on the trunk."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from callcenter.flow.config import AgencyEntry

TRUNK = "PJSIP/{number}@outbound"


def test_an_agency_is_dialled_by_endpoint_or_through_the_outbound_trunk() -> None:
    police = AgencyEntry(id="113", name_vi="Công an", name_en="Police", number="113")
    shelter = AgencyEntry(
        id="shelter-hn", name_vi="Nhà tạm lánh", name_en="Shelter", endpoint="Local/200@agencies"
    )
    assert police.dial_string(TRUNK) == "PJSIP/113@outbound"
    assert shelter.dial_string(TRUNK) == "Local/200@agencies"


@pytest.mark.parametrize("where", [{}, {"number": "113", "endpoint": "PJSIP/113@outbound"}])
def test_an_agency_needs_exactly_one_way_to_reach_it(where: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="give endpoint or number"):
        AgencyEntry(id="113", name_vi="Công an", name_en="Police", **where)
