"""Property tests for the code parsers: LA codes, 903 headers and value conversion."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from headway.errors import HeadwayError
from headway.ingest.load import _boolean, _integer, _text
from headway.ingest.mapping import mappings
from headway.ingest.ssda903 import table_for_header
from headway.workspace import validate_la_code

ONS_PREFIXES = ("E06", "E08", "E09", "E10")
TABLES = {kind: [f.source for f in m.fields] for kind, m in mappings("ssda903").items()}


@given(st.integers(min_value=200, max_value=999), st.sampled_from(["", " ", "\t"]))
def test_three_digit_dfe_numbers_are_accepted(n: int, pad: str) -> None:
    assert validate_la_code(f"{pad}{n}{pad}") == str(n)


@given(st.sampled_from(["E06", "E08", "E09", "E10", "e10"]), st.integers(0, 999_999))
def test_ons_codes_of_childrens_services_authorities_are_accepted(prefix: str, n: int) -> None:
    assert validate_la_code(f"{prefix}{n:06d}") == f"{prefix.upper()}{n:06d}"


@given(st.text(max_size=12))
@example("2\u0663\u0663")  # Arabic-Indic digits are digits to Python, not to the DfE
@example("E10000034\n")
def test_anything_else_is_refused_with_a_hint(text: str) -> None:
    stripped = text.strip().upper()
    dfe = len(stripped) == 3 and stripped.isascii() and stripped.isdigit() and stripped[0] >= "2"
    digits = stripped[3:]
    ons = (
        len(stripped) == 9
        and stripped[:3] in ONS_PREFIXES
        and digits.isascii()
        and digits.isdigit()
    )
    valid = dfe or ons
    if valid:
        assert validate_la_code(text) == stripped
    else:
        with pytest.raises(HeadwayError, match="DfE LA number"):
            validate_la_code(text)


@given(st.sampled_from(sorted(TABLES)), st.randoms(use_true_random=False), st.booleans())
def test_any_order_and_case_of_a_903_header_is_its_table(
    kind: str, rnd: object, lower: bool
) -> None:
    columns = list(TABLES[kind])
    rnd.shuffle(columns)  # type: ignore[attr-defined]
    header = [f" {c.lower() if lower else c} " for c in columns]
    assert table_for_header(header) == kind


@given(st.sampled_from(sorted(TABLES)), st.data())
def test_a_903_header_with_a_column_missing_or_added_is_not_recognised(
    kind: str, data: st.DataObject
) -> None:
    columns = list(TABLES[kind])
    if data.draw(st.booleans()):
        columns.remove(data.draw(st.sampled_from(columns)))
    else:
        columns.append(data.draw(st.sampled_from(["NOTES", "LA", "AGE", "COMMENTS"])))
    assert table_for_header(columns) != kind


@given(st.integers(min_value=-(2**31), max_value=2**31 - 1))
def test_whole_numbers_in_text_or_float_form(n: int) -> None:
    assert _integer(str(n)) == n
    assert _integer(f"  {n} ") == n
    assert _integer(float(n)) == n


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()))
def test_fractions_are_not_whole_numbers(f: float) -> None:
    with pytest.raises(ValueError):
        _integer(f)


@given(st.sampled_from(["1", "true", "TRUE", "Y", "yes", " t "]))
def test_yes_values(text: str) -> None:
    assert _boolean(text) is True


@given(st.sampled_from(["0", "false", "FALSE", "N", "no", " f "]))
def test_no_values(text: str) -> None:
    assert _boolean(text) is False


@given(
    st.text().filter(
        lambda s: (
            s.strip().lower() not in {"1", "0", "true", "false", "y", "n", "yes", "no", "t", "f"}
        )
    )
)
def test_anything_else_is_not_a_yes_no(text: str) -> None:
    with pytest.raises(ValueError):
        _boolean(text)


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_text_is_trimmed_and_blank_is_none(value: object) -> None:
    result = _text(value)
    assert result is None or (result == result.strip() and result != "")
    if isinstance(value, float) and value.is_integer():
        assert result == str(int(value))  # a code typed into Excel as 1.0 means "1"
