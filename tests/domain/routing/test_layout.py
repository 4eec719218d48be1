"""Warehouse geometry: positions of bays and cross-aisles, walking distances, the layout's JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.routing.layout import (
    Layout,
    OffLayout,
    PickPoint,
    coordinates,
    depot_coordinates,
    walking_distance_m,
)

DEMO = Layout()


def test_defaults_describe_the_demo_warehouse() -> None:
    assert DEMO.as_dict() == {
        "aisles": 12,
        "bays": 12,
        "aisle_pitch_m": 3.0,
        "bay_width_m": 1.3,
        "cross_aisle_width_m": 2.0,
        "cross_aisles_after_bays": [],
        "depot_aisle": 1,
        "depot_end": "front",
    }
    assert DEMO.blocks == 1


def test_bay_and_aisle_positions() -> None:
    # Bay 1 lies half a cross-aisle (1.0) plus half a bay (0.65) beyond the front centre line.
    assert coordinates(DEMO, 1, 1) == pytest.approx((0.0, 1.65))
    # Aisle 3 is two pitches across; bay 12 is 1.0 + 11.5 * 1.3 = 15.95 along.
    assert coordinates(DEMO, 3, 12) == pytest.approx((6.0, 15.95))
    # The back centre line lies half a cross-aisle beyond the far edge of bay 12:
    # 1.0 + 12 * 1.3 + 1.0 = 17.6.
    assert DEMO.cross_aisle_ys_m == pytest.approx((0.0, 17.6))
    assert depot_coordinates(DEMO) == (0.0, 0.0)


def test_a_middle_cross_aisle_pushes_the_bays_behind_it() -> None:
    layout = Layout(cross_aisles_after_bays=(6,))
    # Front 0.0; middle 1.0 + 6 * 1.3 + 1.0 = 9.8; back 9.8 + 1.0 + 6 * 1.3 + 1.0 = 19.6.
    assert layout.cross_aisle_ys_m == pytest.approx((0.0, 9.8, 19.6))
    assert layout.bay_y_m(6) == pytest.approx(1.0 + 5.5 * 1.3)  # 8.15, in front of it
    assert layout.bay_y_m(7) == pytest.approx(1.0 + 6.5 * 1.3 + 2.0)  # 11.45, behind it
    assert [layout.block_of(b) for b in (1, 6, 7, 12)] == [0, 0, 1, 1]
    assert layout.blocks == 2


def test_depot_at_the_back_of_another_aisle() -> None:
    layout = Layout(depot_aisle=4, depot_end="back")
    assert depot_coordinates(layout) == pytest.approx((9.0, 17.6))


def test_walking_distances() -> None:
    # Same aisle: straight along it, 15.95 - 1.65.
    assert walking_distance_m(DEMO, 2, 1.65, 2, 15.95) == pytest.approx(14.3)
    # Aisle 1 to aisle 4 near the front: out to the front (1.65), across 9, in again (2.95).
    assert walking_distance_m(DEMO, 1, 1.65, 4, 2.95) == pytest.approx(13.6)
    # Near the back the back cross-aisle is shorter: 1.65 + 9 + 1.65.
    assert walking_distance_m(DEMO, 1, 15.95, 4, 15.95) == pytest.approx(12.3)
    # Half-way along (8.8 of 17.6) either cross-aisle costs 2 * 8.8, plus 3 across.
    assert walking_distance_m(DEMO, 1, 8.8, 2, 8.8) == pytest.approx(3 + 17.6)


def test_json_round_trip() -> None:
    layout = Layout(
        aisles=20,
        bays=30,
        aisle_pitch_m=2.8,
        bay_width_m=1.1,
        cross_aisle_width_m=2.5,
        cross_aisles_after_bays=(10, 20),
        depot_aisle=7,
        depot_end="back",
    )
    text = json.dumps(layout.as_dict())
    assert Layout.from_dict(json.loads(text)) == layout
    assert Layout.from_dict({}) == DEMO  # missing fields take the defaults


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"aisles": 0}, "aisles"),
        ({"aisles": 2.5}, "aisles"),
        ({"aisles": True}, "aisles"),
        ({"bays": "12"}, "bays"),
        ({"aisle_pitch_m": 0}, "aisle_pitch_m"),
        ({"bay_width_m": -1.3}, "bay_width_m"),
        ({"cross_aisle_width_m": float("nan")}, "cross_aisle_width_m"),
        ({"cross_aisle_width_m": "2"}, "cross_aisle_width_m"),
        ({"cross_aisles_after_bays": [12]}, "cross_aisles_after_bays"),  # behind the last bay
        ({"cross_aisles_after_bays": [0]}, "cross_aisles_after_bays"),
        ({"cross_aisles_after_bays": [8, 4]}, "cross_aisles_after_bays"),
        ({"cross_aisles_after_bays": [4, 4]}, "cross_aisles_after_bays"),
        ({"cross_aisles_after_bays": "4"}, "cross_aisles_after_bays"),
        ({"cross_aisles_after_bays": [4.5]}, "cross_aisles_after_bays"),
        ({"depot_aisle": 13}, "depot_aisle"),
        ({"depot_aisle": 0}, "depot_aisle"),
        ({"depot_end": "side"}, "depot_end"),
        ({"depot_side": "front"}, "depot_side"),  # unknown field
    ],
)
def test_invalid_layouts_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Layout.from_dict(data)


def test_points_off_the_layout_are_refused() -> None:
    with pytest.raises(ValueError, match="A13-01-1"):
        DEMO.check_point(PickPoint("A13-01-1", 13, 1))
    with pytest.raises(ValueError, match="bay 13"):
        coordinates(DEMO, 1, 13)


@given(
    aisles=st.integers(1, 30),
    bays=st.integers(2, 40),
    cuts=st.sets(st.integers(1, 39), max_size=4),
    pitch=st.floats(0.5, 10),
    width=st.floats(0.5, 3),
    cross=st.floats(0.5, 6),
    end=st.sampled_from(["front", "back"]),
)
def test_every_bay_lies_strictly_inside_its_block(
    aisles: int, bays: int, cuts: set[int], pitch: float, width: float, cross: float, end: str
) -> None:
    after = tuple(sorted(c for c in cuts if c < bays))
    layout = Layout.from_dict(
        {
            "aisles": aisles,
            "bays": bays,
            "aisle_pitch_m": pitch,
            "bay_width_m": width,
            "cross_aisle_width_m": cross,
            "cross_aisles_after_bays": list(after),
            "depot_aisle": aisles,
            "depot_end": end,
        }
    )
    assert Layout.from_dict(json.loads(json.dumps(layout.as_dict()))) == layout
    ys = layout.cross_aisle_ys_m
    for bay in range(1, bays + 1):
        block = layout.block_of(bay)
        # Half a cross-aisle plus half a bay from the nearer cross-aisle, at least.
        assert ys[block] + cross / 2 < layout.bay_y_m(bay) < ys[block + 1] - cross / 2
    assert layout.bay_y_m(bays) + width / 2 + cross / 2 == pytest.approx(ys[-1])


def test_a_layout_grows_to_cover_locations_and_never_shrinks() -> None:
    grown = DEMO.covering(7, 30)
    assert (grown.aisles, grown.bays) == (12, 30)
    assert grown.covering(3, 3) == grown
    assert grown.reaches(12, 30) and not grown.reaches(13, 1) and not DEMO.reaches(7, 22)


def test_a_point_off_the_layout_names_itself_and_the_layout() -> None:
    with pytest.raises(OffLayout, match=r"A07-22-1: bay 22 is not on the layout \(bays 1-12\)"):
        DEMO.check_point(PickPoint("A07-22-1", 7, 22))
