"""The sector in the demo: synthetic LAs submit to a hub on loopback, vote in a
deliberation, and the Centre writes the evidence and a position paper from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from headway.hub.deliberate import analyse_topic
from headway.hub.deliberation_synth import DEFAULT_STATEMENTS, simulate_votes
from headway.hub.evidence import build_evidence
from headway.hub.paper import write_evidence_html, write_paper
from headway.hub.sector_synth import sector_submission
from headway.hub.serve import serving
from headway.hub.store import Hub, hub_url
from headway.hub.submission import SubmissionPayload
from headway.hub.submit import to_json
from headway.packs import library
from headway.synth.sector import synthetic_sector

SECTOR_LAS = 36  # four for each of the nine regions
PERIOD = "2026Q3"
PACK = "families-first-2026-27"
TOPIC = "families-first-2026-27"
ASKS = (
    (
        "Collect the FGDM offer date in the CIN census",
        "Collect the family group decision making offer date as a CIN census item, not in a new "
        "return: most LAs already record it in their case management system.",
    ),
    (
        "Twelve months' notice of new items",
        "Give LAs at least 12 months' notice of any new data item, with its validation rules.",
    ),
)


@dataclass
class SectorResult:
    submitted: int
    retried_unchanged: int
    voters: int
    evidence: Path
    paper: Path
    consensus: list[str]


def _post(client: httpx.Client, path: str, token: str, body: object) -> dict[str, object]:
    response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def run_sector(folder: Path, own: SubmissionPayload | None, seed: int) -> SectorResult:
    """36 synthetic LAs (and the demo LA's own submission) through a real hub on loopback."""
    packs = library()
    sector = synthetic_sector(SECTOR_LAS, seed)
    with Hub.open(hub_url(None, folder)) as hub:
        hub.add_las([(la.code, la.name, la.region) for la in sector])
        if own is not None:
            hub.add_las([(own.la_code, "Synthetic LA (demo)", "London")])
        analyst = hub.create_token("hub analyst", None, "Centre analyst")
        submitters = {la.code: hub.create_token("la submitter", la.code, la.name) for la in sector}
        payloads = [to_json(sector_submission(la, packs, PERIOD, seed)) for la in sector]
        if own is not None:
            submitters[own.la_code] = hub.create_token("la submitter", own.la_code, "demo LA")
            payloads.append(to_json(own))
        with serving(hub) as url, httpx.Client(base_url=url, timeout=30) as client:
            results = [
                _post(client, "/api/submissions", submitters[str(p["la_code"])], p)
                for p in payloads
            ]
            retry = _post(client, "/api/submissions", submitters[sector[0].code], payloads[0])
            ids = {}
            for number, text in DEFAULT_STATEMENTS.items():
                made = _post(
                    client, f"/api/deliberations/{TOPIC}/statements", analyst, {"text": text}
                )
                ids[number] = int(str(made["id"]))
            sim = simulate_votes(len(sector), seed=seed)
            voters = sorted({v.participant for v in sim.votes})
            token_of = dict(zip(voters, submitters.values(), strict=False))
            for v in sim.votes:
                _post(
                    client,
                    f"/api/deliberations/{TOPIC}/votes",
                    token_of[v.participant],
                    {"statement": ids[v.statement], "value": v.value},
                )
            for title, ask in ASKS:
                _post(
                    client,
                    "/api/asks",
                    analyst,
                    {"title": title, "ask": ask, "pack": PACK, "topic": TOPIC},
                )
        first = hub.asks()[0]
        hub.update_ask(first.id, "raised")
        evidence = build_evidence(hub, PACK)
        analysis = analyse_topic(hub, TOPIC, seed)
        evidence_path = write_evidence_html(evidence, folder / "evidence_families_first.html")
        paper = write_paper(TOPIC, analysis, evidence, hub.asks(), folder / "position_paper.html")
        write_paper(TOPIC, analysis, evidence, hub.asks(), folder / "position_paper.pdf")
    return SectorResult(
        submitted=sum(1 for r in results if r["outcome"] == "new"),
        retried_unchanged=int(retry["outcome"] == "unchanged"),
        voters=len(voters),
        evidence=evidence_path,
        paper=paper,
        consensus=[c.text for c in analysis.consensus],
    )
