"""Link children known to more than one predecessor LA: Splink 4 on DuckDB.

Each source is one LA's people frame (one row per child; `people_frame` reads it from a
workspace). `link` cleans every frame the same way, compares children across sources only
(link_only: within one LA a person id is already one child), scores each compared pair with
a Fellegi-Sunter model, and keeps for each child at most one partner in each other source
(Splink's single best links). docs/linkage.md explains the method for an analyst.

The model uses the fields present (carried by at least MIN_COMPLETENESS of two sources'
records): comparisons of UPN and NHS number, forename, date of birth, surname with postcode
(as one household comparison), sex, ethnicity and LA child id; pairs are compared when they
agree on UPN, NHS number, date of birth, forename and surname, surname and year of birth, or
postcode and year of birth. u comes from a seeded random sample of pairs; m from expectation
maximisation on two blocks, starting from priors that stand alone for sources too small for
EM; the prior chance of a match from pairs agreeing exactly on UPN, NHS number, names and
date of birth, or date of birth and postcode, scaled up by the share of true matches those
rules should find. Pairs whose forenames or identifiers conflict (twins) are never linked
automatically: they go to the clerical review list with the pairs near the threshold.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import prod
from typing import Any

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import cumulative_comparisons_to_be_scored_from_blocking_rules_data
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from headway.errors import HeadwayError
from headway.model.schema import tables

Key = tuple[str, str]  # (source, record_id): one child's record in one source
FIELDS = (
    "record_id", "upn", "nhs_number", "forename", "surname", "dob", "sex", "ethnicity",
    "postcode",
)  # fmt: skip
MIN_COMPLETENESS = 0.05  # a field is compared when this share of two sources' records carry it
MIN_EM_PAIRS = 2_000  # a training block with fewer pairs leaves the priors in place
AGREEMENT = 0.97  # assumed share of true matches agreeing on a field both records carry


@dataclass(frozen=True)
class LinkSettings:
    """How `link` decides. The defaults are calibrated on synthetic LAs (docs/linkage.md)."""

    threshold: float = 0.7  # a pair at or above this match probability is one child
    review_margin: float = 0.2  # pairs within this of the threshold go to clerical review
    seed: int = 42  # seeds the random sample of pairs that estimates u
    u_pairs: int = 3_000_000  # size of that sample


@dataclass
class Linkage:
    """What `link` found: which records are one child, and the evidence."""

    clusters: pa.Table  # source, record_id, cluster_id (1..): every record, singletons too
    pairs: pa.Table  # linked pairs: source_l, record_id_l, source_r, record_id_r, probability
    review: pa.Table  # pairs near the threshold or in conflict, fields side by side, linked?
    threshold: float
    records: dict[str, int] = field(default_factory=dict)  # records in, per source
    comparisons: int = 0  # pairs scored
    fields: tuple[str, ...] = ()  # fields compared
    m_from: str = ""  # where the m probabilities came from
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        sizes = self.clusters.group_by("cluster_id").aggregate([("record_id", "count")])
        return {
            "records": dict(self.records),
            "linked_pairs": self.pairs.num_rows,
            "clusters": sizes.num_rows,
            "children_in_more_than_one_source": sum(
                1 for n in sizes["record_id_count"].to_pylist() if n > 1
            ),
            "review": self.review.num_rows,
            "threshold": self.threshold,
            "comparisons": self.comparisons,
            "fields": list(self.fields),
            "m_from": self.m_from,
            "seconds": round(self.seconds, 1),
        }


# --- Cleaning --------------------------------------------------------------------------------
_UPN = "upper(regexp_replace(CAST({c} AS VARCHAR), '\\s', '', 'g'))"
_NAME = "nullif(regexp_replace(upper(CAST({c} AS VARCHAR)), '[^A-Z]', '', 'g'), '')"
_PC = "upper(regexp_replace(CAST({c} AS VARCHAR), '[^A-Za-z0-9]', '', 'g'))"
_PC_SPACED = "upper(trim(regexp_replace(CAST({c} AS VARCHAR), '\\s+', ' ', 'g')))"
_OUTWARD = "[A-Z]{1,2}[0-9][A-Z0-9]?"


def _clean(name: str) -> str:
    """The SQL that cleans the raw column `name` (idempotent on clean values).

    UPN: 13 characters, letter first (UN1..UN10 'unknown' codes become empty); NHS number:
    10 digits; names: upper-case letters only; sex: M or F (1/2 and words too); ethnicity:
    upper case, REFU and NOBT empty; postcode: "OUT IN" in capitals, or a sector "OUT 1"
    or district "OUT" when that is all that was recorded.
    """
    if name == "record_id":
        return f"CAST({name} AS VARCHAR)"
    if name == "upn":
        u = _UPN.format(c=name)
        return f"CASE WHEN regexp_full_match({u}, '[A-Z][0-9]{{11}}[0-9A-Z]') THEN {u} END"
    if name == "nhs_number":
        d = f"regexp_replace(CAST({name} AS VARCHAR), '[^0-9]', '', 'g')"
        return f"CASE WHEN length({d}) = 10 THEN {d} END"
    if name in ("forename", "surname"):
        return _NAME.format(c=name)
    if name == "dob":
        return f"TRY_CAST({name} AS DATE)"
    if name == "sex":
        s = f"upper(trim(CAST({name} AS VARCHAR)))"
        return (
            f"CASE WHEN {s} IN ('1', 'M', 'MALE') THEN 'M' "
            f"WHEN {s} IN ('2', 'F', 'FEMALE') THEN 'F' END"
        )
    if name == "ethnicity":
        e = f"upper(trim(CAST({name} AS VARCHAR)))"
        return f"CASE WHEN {e} NOT IN ('', 'REFU', 'NOBT') THEN {e} END"
    if name == "postcode":
        p, s = _PC.format(c=name), _PC_SPACED.format(c=name)
        return (
            f"CASE WHEN regexp_full_match({p}, '{_OUTWARD}[0-9][A-Z]{{2}}') "
            f"THEN left({p}, length({p}) - 3) || ' ' || right({p}, 3) "
            f"WHEN regexp_full_match({s}, '{_OUTWARD} [0-9]') THEN {s} "
            f"WHEN regexp_full_match({p}, '{_OUTWARD}') THEN {p} END"
        )
    raise ValueError(f"no cleaning for {name}")


def _prepared_sql(table: str) -> str:
    """A cleaned frame with the derived columns the comparisons and blocking use."""
    cleaned = ", ".join(f"{_clean(f)} AS {f}" for f in FIELDS if f != "postcode")
    pc = _clean("postcode")
    return f"""
    WITH c AS (SELECT {cleaned}, {pc} AS pc FROM {table})
    SELECT c.* EXCLUDE (pc),
      upper(trim(record_id)) AS child_id,
      year(dob) AS dob_year,
      CASE WHEN length(split_part(pc, ' ', 2)) = 3 THEN pc END AS postcode,
      CASE WHEN split_part(pc, ' ', 2) <> ''
        THEN split_part(pc, ' ', 1) || ' ' || left(split_part(pc, ' ', 2), 1) END
        AS postcode_sector,
      split_part(pc, ' ', 1) AS postcode_district
    FROM c"""


# --- A workspace's children ------------------------------------------------------------------
def people_frame(con: duckdb.DuckDBPyConnection, source: str) -> pa.Table:
    """One row per child in a workspace (`source` names it), with the linkage fields cleaned.

    Every person id in any standard-model table is a child here, so the frame covers every
    child the merge must carry. Each field is the latest clean value, by collection year:
    ssd_person first (UPN, NHS number, names, date of birth, sex, ethnicity), then UPN and
    NHS number from ssd_linked_identifiers, then date of birth, sex and ethnicity as
    reported on other records (903 tables, Annex A); the postcode is the latest address
    (ssd_address) or else the latest 903 home postcode.
    """
    raw = " UNION ALL ".join(_value_rows())
    latest = ", ".join(
        f"first({f} ORDER BY prio, year DESC, day DESC NULLS LAST, load DESC) "
        f"FILTER (WHERE {f} IS NOT NULL) AS {f}"
        for f in FIELDS[1:]
    )
    cleaned = ", ".join(f"{_clean(f)} AS {f}" for f in FIELDS)
    sql = f"""
    WITH raw AS ({raw}),
    clean AS (SELECT {cleaned}, prio, year, day, load FROM raw),
    best AS (SELECT record_id, {latest} FROM clean GROUP BY record_id),
    ids AS ({" UNION ".join(_person_ids())})
    SELECT $source AS source, ids.record_id, {", ".join(f"best.{f}" for f in FIELDS[1:])}
    FROM ids LEFT JOIN best USING (record_id)
    ORDER BY ids.record_id"""
    return con.execute(sql, {"source": source}).to_arrow_table()


def _person_ids() -> list[str]:
    return [
        f'SELECT CAST("{c.name}" AS VARCHAR) AS record_id FROM "{t.name}" '
        f'WHERE "{c.name}" IS NOT NULL'
        for t in tables().values()
        for c in t.columns
        if c.name.endswith("_person_id")
    ]


def _value_rows() -> list[str]:
    """Rows of (record_id, fields..., prio, year, day, load): every source of a value."""

    def row(table: str, pid: str, prio: int, day: str, **values: str) -> str:
        cols = ", ".join(f"{values.get(f, 'NULL')} AS {f}" for f in FIELDS[1:])
        some = " OR ".join(f"{v} IS NOT NULL" for v in values.values())
        return (
            f"SELECT CAST({pid} AS VARCHAR) AS record_id, {cols}, {prio} AS prio, "
            f"coalesce(collection_year, 0) AS year, {day} AS day, "
            f"coalesce(hw_load_id, 0) AS load "
            f"FROM {table} LEFT JOIN hw_loads ON load_id = hw_load_id "
            f"WHERE {pid} IS NOT NULL AND ({some})"
        )

    ident = "lower(link_identifier_type)"
    rows = [
        row("ssd_person", "pers_person_id", 1, "NULL::DATE", upn="pers_upn",
            nhs_number="pers_common_child_id", forename="pers_forename",
            surname="pers_surname", dob="pers_dob", sex="pers_sex",
            ethnicity="pers_ethnicity"),
        row("ssd_linked_identifiers", "link_person_id", 2, "link_valid_from_date",
            upn=f"CASE WHEN {ident} LIKE '%pupil%' THEN link_identifier_value END",
            nhs_number=f"CASE WHEN {ident} LIKE '%nhs%' THEN link_identifier_value END"),
        row("ssd_address", "addr_person_id", 1, "addr_address_start_date",
            postcode="addr_address_postcode"),
        row("ssd_cla_episodes", "clae_person_id", 2, "clae_cla_episode_start_date",
            postcode="clae_home_postcode"),
    ]  # fmt: skip
    for t in tables().values():
        pid = next((c.name for c in t.columns if c.name.endswith("_person_id")), None)
        if pid is not None and t.name != "ssd_person":
            rows.append(
                row(t.name, pid, 3, "NULL::DATE", dob="hw_reported_dob",
                    sex="hw_reported_sex", ethnicity="hw_reported_ethnicity")
            )  # fmt: skip
    return rows


# --- The model -------------------------------------------------------------------------------
# Each level carries its prior m (share of true matches at that level): EM starts from it, and
# it stands when the sources are too small for EM. Disagreement on UPN, NHS number or date of
# birth keeps its prior m: EM on tidy data learns that a child's identifier never disagrees,
# and real records do carry wrong ones. Levels that random pairs almost never reach carry a
# prior u too, used when the random sample holds none. Levels are Splink's own or DuckDB SQL
# that Splink translates, so the same model runs on Spark (docs/linkage.md).
def _level(level: ComparisonLevelCreator, m: float, **options: Any) -> ComparisonLevelCreator:
    return level.configure(m_probability=m, **options)


def _comparison(name: str, *levels: ComparisonLevelCreator) -> ComparisonCreator:
    return cl.CustomComparison(list(levels), output_column_name=name)


def _identifier(name: str) -> ComparisonCreator:
    """UPN or NHS number: exact, one character substituted or transposed, different."""
    return _comparison(
        name,
        cll.NullLevel(name),
        _level(cll.ExactMatchLevel(name), 0.95),
        _level(cll.DamerauLevenshteinLevel(name, 1), 0.03, u_probability=1e-5),
        _level(cll.ElseLevel(), 0.01, fix_m_probability=True),
    )


def _dob() -> ComparisonCreator:
    swapped = cll.CustomLevel(
        'month("dob_l") = day("dob_r") AND day("dob_l") = month("dob_r") '
        'AND year("dob_l") = year("dob_r")',
        label_for_charts="Day and month transposed",
        base_dialect_str="duckdb",
    )
    one_character = cll.DamerauLevenshteinLevel(ColumnExpression("dob").cast_to_string(), 1)
    return _comparison(
        "dob",
        cll.NullLevel("dob"),
        _level(cll.ExactMatchLevel("dob"), 0.95),
        _level(swapped, 0.015),
        _level(one_character, 0.02),
        _level(cll.AbsoluteDateDifferenceLevel("dob", threshold=1, metric="year",
                                               input_is_string=False), 0.01),
        _level(cll.ElseLevel(), 0.005, fix_m_probability=True),
    )  # fmt: skip


def _name(col: str) -> ComparisonCreator:
    return cl.NameComparison(col, jaro_winkler_thresholds=[0.92, 0.8]).configure(
        term_frequency_adjustments=True, m_probabilities=[0.9, 0.04, 0.03, 0.03]
    )


def _household() -> ComparisonCreator:
    """Surname and postcode as one comparison. Brothers and sisters share both, so counting
    them as two independent agreements would make siblings look like one child; together,
    random sampling measures how often different children share a household."""
    surname, postcode, district = (cll.ExactMatchLevel(c) for c in
                                   ("surname", "postcode", "postcode_district"))  # fmt: skip
    return _comparison(
        "household",
        cll.And(cll.NullLevel("surname"), cll.NullLevel("postcode_district")),
        _level(cll.And(surname, postcode), 0.40),
        _level(cll.And(surname, district), 0.05),
        _level(cll.ExactMatchLevel("surname", term_frequency_adjustments=True), 0.44),
        _level(cll.JaroWinklerLevel("surname", 0.88), 0.04),
        _level(cll.ExactMatchLevel("postcode"), 0.03),
        _level(cll.ExactMatchLevel("postcode_district"), 0.01),
        _level(cll.ElseLevel(), 0.03),
    )


def _postcode() -> ComparisonCreator:
    """Postcode alone (no names): full, sector, district."""
    return _comparison(
        "postcode",
        cll.NullLevel("postcode_district"),
        _level(cll.ExactMatchLevel("postcode"), 0.45),
        _level(cll.ExactMatchLevel("postcode_sector"), 0.04),
        _level(cll.ExactMatchLevel("postcode_district"), 0.03),
        _level(cll.ElseLevel(), 0.48),
    )


def _ethnicity() -> ComparisonCreator:
    """The code, or its group (its first letter: W, M, A, B, C, O)."""
    return _comparison(
        "ethnicity",
        cll.NullLevel("ethnicity"),
        _level(cll.ExactMatchLevel("ethnicity"), 0.92),
        _level(cll.ExactMatchLevel(ColumnExpression("ethnicity").substr(1, 1)), 0.05),
        _level(cll.ElseLevel(), 0.03),
    )


def _exact(col: str, m: float, **options: Any) -> ComparisonCreator:
    return _comparison(
        col,
        cll.NullLevel(col),
        _level(cll.ExactMatchLevel(col), m, **options),
        _level(cll.ElseLevel(), 1 - m),
    )


def _comparisons(fields: set[str]) -> list[ComparisonCreator | dict[str, Any]]:
    """One comparison per field present (surname and postcode together when both are)."""
    out: list[ComparisonCreator | dict[str, Any]] = [
        _identifier(f) for f in ("upn", "nhs_number") if f in fields
    ]
    if "forename" in fields:
        out.append(_name("forename"))
    if "dob" in fields:
        out.append(_dob())
    if {"surname", "postcode"} <= fields:
        out.append(_household())
    elif "surname" in fields:
        out.append(_name("surname"))
    elif "postcode" in fields:
        out.append(_postcode())
    if "sex" in fields:
        out.append(_exact("sex", 0.99))
    if "ethnicity" in fields:
        out.append(_ethnicity())
    out.append(_exact("child_id", 0.05, u_probability=1e-6))  # an id rarely survives a move
    return out


# Pairs compared (in order; each pair once), with the fields each rule needs
_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("upn",),
    ("nhs_number",),
    ("dob",),
    ("forename", "surname"),
    ("surname", "dob_year"),
    ("postcode", "dob_year"),
)
# EM trains on the first two of these blocks present; the rules for the prior chance of a match
TRAINING_BLOCKS = (("dob",), ("upn",), ("nhs_number",), ("forename", "surname"), ("postcode",))
_DETERMINISTIC = (("upn",), ("nhs_number",), ("forename", "surname", "dob"), ("dob", "postcode"))


def _needs(rule: tuple[str, ...]) -> set[str]:
    return {"dob" if f == "dob_year" else f for f in rule}


def _rules(candidates: Iterable[tuple[str, ...]], fields: set[str]) -> list[tuple[str, ...]]:
    return [r for r in candidates if _needs(r) <= fields]


def splink_settings(fields: Iterable[str], prior: float) -> SettingsCreator:
    """The Splink model for `fields` (the compared fields present, as in Linkage.fields) and
    the prior chance that two records from different sources are one child. Any Splink
    backend runs it: DuckDB here, Spark at national scale (docs/linkage.md)."""
    present = set(fields)
    return SettingsCreator(
        link_type="link_only",
        probability_two_random_records_match=prior,
        unique_id_column_name="record_id",
        comparisons=_comparisons(present),
        blocking_rules_to_generate_predictions=[block_on(*r) for r in _rules(_BLOCKING, present)],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
    )


def conflict_sql(fields: Iterable[str], dialect: str = "duckdb") -> str:
    """SQL over a prediction row: the pair names two different children, whatever its
    score. Twins share a birth date, a surname and an address, which the model (taking
    fields as independent) reads as overwhelming evidence; their forenames and UPNs tell
    them apart. So a pair whose forenames clearly differ, or whose UPNs (or NHS numbers)
    differ and whose forenames do not agree, is never linked automatically: it goes to
    clerical review. `dialect` "spark" names Splink's Spark similarity functions."""
    present = set(fields)
    jaro, damerau = _SIMILARITY[dialect]
    both = "{f}_l IS NOT NULL AND {f}_r IS NOT NULL"
    ids = [
        f"({both.format(f=f)} AND {damerau}({f}_l, {f}_r) > 1)"
        for f in ("upn", "nhs_number")
        if f in present
    ]
    if "forename" not in present:
        return " OR ".join(ids) or "false"
    forenames = f"({both.format(f='forename')} AND {jaro}(forename_l, forename_r) < 0.8)"
    if not ids:
        return forenames
    return f"{forenames} OR (({' OR '.join(ids)}) AND coalesce(forename_l <> forename_r, true))"


_SIMILARITY = {
    "duckdb": ("jaro_winkler_similarity", "damerau_levenshtein"),
    "spark": ("jaro_winkler", "damerau_levenshtein"),
}


# --- Linking ---------------------------------------------------------------------------------
def prepare(frame: pa.Table) -> pa.Table:
    """A frame cleaned for linking (the FIELDS, a missing column counting as empty), with
    the columns the model compares and blocks on: child_id, dob_year, postcode (full
    postcodes only), postcode_sector and postcode_district."""
    for f in FIELDS:
        if f not in frame.column_names:
            kind = pa.date32() if f == "dob" else pa.string()
            frame = frame.append_column(f, pa.nulls(frame.num_rows, kind))
    with _connect() as con:
        con.register("frame", frame)
        return con.sql(_prepared_sql("frame")).to_arrow_table()


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # DuckDB would draw bars on stdout
    return con


def link(frames: Mapping[str, pa.Table], settings: LinkSettings = LinkSettings()) -> Linkage:
    """Link the children of two or more sources: one frame per source, with the columns of
    FIELDS (from people_frame). Same frames and settings, same result."""
    started = time.perf_counter()
    _check_sources(frames)
    names = list(frames)
    inputs = [f"src_{i}" for i in range(len(names))]
    con = _connect()
    try:
        for table, (source, frame) in zip(inputs, frames.items(), strict=True):
            con.register(f"{table}_arrow", prepare(frame))
            con.execute(f"CREATE TABLE {table} AS FROM {table}_arrow")  # Arrow scans are slow
            _check_ids(con, table, source)
        completeness = _completeness(con, inputs)
        present = {f for f, shares in completeness.items() if _second(shares) >= MIN_COMPLETENESS}
        if not _rules(_BLOCKING, present):
            raise HeadwayError(
                "The sources share no field to compare children on (UPN, NHS number, date "
                "of birth, names or postcode).",
                "Load the returns that carry them (CIN census, SSDA903, an SSD extract).",
            )
        prior = _match_prior(con, inputs, present, completeness)
        db_api = DuckDBAPI(con)
        with _quiet_splink():
            linker = Linker(inputs, splink_settings(present, prior), db_api,
                            set_up_basic_logging=False, input_table_aliases=names)  # fmt: skip
            m_from = _train(linker, con, inputs, present, settings)
            comparisons = _count(db_api, inputs, present)
            lower = max(settings.threshold - settings.review_margin, 0.0)
            predictions = linker.inference.predict(threshold_match_probability=lower)
            _score(con, predictions.physical_name, present)
            clustered = linker.clustering.cluster_using_single_best_links(
                db_api.table_to_splink_dataframe("__splink__df_predict", "unconflicted"),
                duplicate_free_datasets=names,
                threshold_match_probability=settings.threshold,
                ties_method="drop",
            )
        clusters, pairs, review = _results(con, clustered.physical_name, settings)
    finally:
        con.close()
    return Linkage(
        clusters=clusters,
        pairs=pairs,
        review=review,
        threshold=settings.threshold,
        records={s: f.num_rows for s, f in frames.items()},
        comparisons=comparisons,
        fields=tuple(sorted(present)),
        m_from=m_from,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink's progress and warnings stay out of the analyst's terminal."""
    splink_logger = logging.getLogger("splink")
    level = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        splink_logger.setLevel(level)


def _check_sources(frames: Mapping[str, pa.Table]) -> None:
    if len(frames) < 2:
        raise HeadwayError(
            f"Linking needs at least two sources; got {len(frames)}.",
            "Give the workspace of every predecessor LA.",
        )
    for source, frame in frames.items():
        if frame.num_rows == 0:
            raise HeadwayError(
                f"Source {source} has no children.",
                "Load its returns first (headway ingest), or leave it out.",
            )
        if "record_id" not in frame.column_names:
            raise HeadwayError(f"Source {source} has no record_id column.",
                               "Make each source's frame with people_frame.")  # fmt: skip


def _check_ids(con: duckdb.DuckDBPyConnection, table: str, source: str) -> None:
    missing, repeated = _one(
        con,
        f"SELECT count(*) - count(record_id), count(record_id) - count(DISTINCT record_id) "
        f"FROM {table}",
    )
    if missing or repeated:
        raise HeadwayError(
            f"Source {source} has {missing} records without an id and {repeated} repeated ids.",
            "Give one row per child, each with its own id (people_frame does).",
        )


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate always returns a row
    return row


_COMPARED = ("upn", "nhs_number", "forename", "surname", "dob", "sex", "ethnicity", "postcode")


def _completeness(con: duckdb.DuckDBPyConnection, inputs: list[str]) -> dict[str, list[float]]:
    """Share of records carrying each field, per source (a postcode: its district at least)."""
    column = {f: "postcode_district" if f == "postcode" else f for f in _COMPARED}
    shares = [
        _one(con, "SELECT " + ", ".join(f"avg(({column[f]} IS NOT NULL)::INT)" for f in _COMPARED)
             + f" FROM {t}")
        for t in inputs
    ]  # fmt: skip
    return {f: [float(row[i]) for row in shares] for i, f in enumerate(_COMPARED)}


def _second(shares: list[float]) -> float:
    """The second-highest share: a field is only worth comparing if two sources carry it."""
    return sorted(shares)[-2]


def _train(
    linker: Linker,
    con: duckdb.DuckDBPyConnection,
    inputs: list[str],
    present: set[str],
    settings: LinkSettings,
) -> str:
    """Estimate u and m; says where m came from. One thread: DuckDB's seeded sample and its
    sums of probabilities are only repeatable run to run when single-threaded."""
    threads = _one(con, "SELECT current_setting('threads')")[0]
    con.execute("SET threads = 1")
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=settings.u_pairs,
                                                         seed=settings.seed)  # fmt: skip
        blocks = _rules(TRAINING_BLOCKS, present)[:2]
        trained = [b for b in blocks if _pairs_in_block(con, inputs, b) >= MIN_EM_PAIRS]
        for block in trained:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*block), estimate_without_term_frequencies=True
            )
    finally:
        con.execute(f"SET threads = {int(threads)}")
    if not trained:
        return "priors (too few pairs for expectation maximisation)"
    return (
        "expectation maximisation on "
        + " and ".join("+".join(b) for b in trained)
        + ("" if len(trained) == len(blocks) == 2 else "; priors elsewhere")
    )


def _match_prior(
    con: duckdb.DuckDBPyConnection,
    inputs: list[str],
    present: set[str],
    completeness: dict[str, list[float]],
) -> float:
    """The prior chance that two records from different sources are one child: the pairs
    that agree exactly on UPN, NHS number, names and date of birth, or date of birth and
    postcode, scaled up by the share of true matches those rules should find, over all
    cross-source pairs (and at least one match expected)."""
    rules = _rules(_DETERMINISTIC, present)
    sizes = [int(_one(con, f"SELECT count(*) FROM {t}")[0]) for t in inputs]
    total = sum(a * b for i, a in enumerate(sizes) for b in sizes[i + 1 :])
    found = _agreeing_pairs(con, inputs, rules) if rules else 0
    expected = found / _expected_recall(rules, completeness) if rules else 0.0
    return min(max(expected, 1.0) / total, 0.5)


def _agreeing_pairs(
    con: duckdb.DuckDBPyConnection, inputs: list[str], rules: list[tuple[str, ...]]
) -> int:
    """Cross-source pairs agreeing exactly on all fields of at least one rule."""
    joins = " UNION ".join(
        f"SELECT {i} AS s, a.record_id AS l, {j} AS t, b.record_id AS r FROM {a} a JOIN {b} b "
        f"ON {' AND '.join(f'a.{f} = b.{f}' for f in rule)}"
        for i, a in enumerate(inputs)
        for j, b in enumerate(inputs)
        if i < j
        for rule in rules
    )
    return int(_one(con, f"SELECT count(*) FROM ({joins})")[0])


def _expected_recall(rules: list[tuple[str, ...]], completeness: dict[str, list[float]]) -> float:
    """Share of true matches the rules should find: a rule needs each of its fields on both
    records (as often as the sources carry them) and agreeing (AGREEMENT)."""
    missed = prod(
        1 - prod(_pair_share(completeness[f]) * AGREEMENT for f in _needs(rule)) for rule in rules
    )
    return min(max(1 - missed, 0.05), 1.0)


def _pair_share(shares: list[float]) -> float:
    """Share of cross-source pairs with the field on both records, over pairs of sources."""
    pairs = [a * b for i, a in enumerate(shares) for b in shares[i + 1 :]]
    return sum(pairs) / len(pairs)


def _pairs_in_block(
    con: duckdb.DuckDBPyConnection, inputs: list[str], rule: tuple[str, ...]
) -> int:
    """Cross-source pairs agreeing on every field of `rule`, from group counts."""
    cols = ", ".join(rule)
    not_null = " AND ".join(f"{c} IS NOT NULL" for c in rule)
    counts = " UNION ALL ".join(
        f"SELECT {i} AS s, {cols}, count(*) AS n FROM {t} WHERE {not_null} GROUP BY ALL"
        for i, t in enumerate(inputs)
    )
    (pairs,) = _one(
        con,
        f"WITH c AS ({counts}) SELECT coalesce(sum(a.n * b.n), 0) FROM c a JOIN c b "
        f"USING ({cols}) WHERE a.s < b.s",
    )
    return int(pairs)


def _count(db_api: DuckDBAPI, inputs: list[str], present: set[str]) -> int:
    """Pairs the blocking rules give to be scored (each pair once)."""
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=inputs,
        blocking_rules=[block_on(*r) for r in _rules(_BLOCKING, present)],
        link_type="link_only",
        db_api=db_api,
        unique_id_column_name="record_id",
    )
    return int(counts["row_count"].sum())


_SIDE_BY_SIDE = ("upn", "nhs_number", "forename", "surname", "dob", "sex", "ethnicity",
                 "postcode", "child_id")  # fmt: skip
_KEYS = "source_l, record_id_l, source_r, record_id_r"


def _score(con: duckdb.DuckDBPyConnection, predictions: str, present: set[str]) -> None:
    """Tables `scored` (Splink's predictions, the fields side by side, and whether the pair
    is in conflict) and `unconflicted` (what clustering may link)."""
    side_by_side = ", ".join(f"{f}_l, {f}_r" for f in _SIDE_BY_SIDE if f in present | {"child_id"})
    con.execute(f"""
        CREATE TABLE scored AS
        SELECT source_dataset_l, record_id_l, source_dataset_r, record_id_r,
          match_probability, match_weight,
          {conflict_sql(present)} AS conflict, {side_by_side}
        FROM {predictions}""")
    con.execute("CREATE TABLE unconflicted AS SELECT * FROM scored WHERE NOT conflict")


def _results(
    con: duckdb.DuckDBPyConnection, clustered: str, settings: LinkSettings
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The clusters (numbered 1.. in order of their first source and record id), the linked
    pairs, and the review list: pairs near the threshold, and pairs above it in conflict.
    Probabilities are shown to 6 decimals and weights to 4: DuckDB sums in parallel, so the
    last digits of a trained model vary from run to run; rounded, runs agree."""
    con.execute(f"""
        CREATE TABLE clusters AS
        WITH k AS (
          SELECT source_dataset AS source, record_id,
            min([source_dataset, record_id]) OVER (PARTITION BY cluster_id) AS first
          FROM {clustered})
        SELECT source, record_id, dense_rank() OVER (ORDER BY first) AS cluster_id FROM k""")
    con.execute(
        """
        CREATE TABLE pairs AS
        SELECT s.source_dataset_l AS source_l, s.record_id_l, s.source_dataset_r AS source_r,
          s.record_id_r, round(s.match_probability, 6) AS match_probability,
          round(s.match_weight, 4) AS match_weight,
          s.match_probability >= $threshold AND NOT s.conflict
            AND l.cluster_id = r.cluster_id AS linked,
          s.* EXCLUDE (source_dataset_l, record_id_l, source_dataset_r, record_id_r,
                       match_probability, match_weight)
        FROM scored s
        JOIN clusters l ON l.source = s.source_dataset_l AND l.record_id = s.record_id_l
        JOIN clusters r ON r.source = s.source_dataset_r AND r.record_id = s.record_id_r""",
        {"threshold": settings.threshold},
    )
    clusters = con.sql("SELECT * FROM clusters ORDER BY source, record_id").to_arrow_table()
    pairs = con.sql(
        f"SELECT {_KEYS}, match_probability, match_weight FROM pairs WHERE linked ORDER BY {_KEYS}"
    ).to_arrow_table()
    review = con.execute(
        "SELECT * FROM pairs WHERE abs(match_probability - $threshold) <= $margin "
        f"OR (conflict AND match_probability >= $threshold) "
        f"ORDER BY match_probability DESC, {_KEYS}",
        {"threshold": settings.threshold, "margin": settings.review_margin},
    ).to_arrow_table()
    return clusters, pairs, review


# --- Evaluation ------------------------------------------------------------------------------
def linked_pairs(linkage: Linkage) -> set[frozenset[Key]]:
    """Every pair of records the linkage puts in one cluster."""
    members: dict[int, list[Key]] = {}
    rows = linkage.clusters.to_pydict()
    for source, record_id, cluster in zip(rows["source"], rows["record_id"], rows["cluster_id"],
                                          strict=True):  # fmt: skip
        members.setdefault(cluster, []).append((source, record_id))
    return {
        frozenset((a, b))
        for keys in members.values()
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    }


def evaluate(linkage: Linkage, truth: Iterable[tuple[Key, Key]]) -> dict[str, float]:
    """Precision, recall and F1 of the linked pairs against the true pairs."""
    found = linked_pairs(linkage)
    true = {frozenset(pair) for pair in truth}
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "true_pairs": float(len(true)), "linked_pairs": float(len(found))}  # fmt: skip
