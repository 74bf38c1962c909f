"""The LA's local extract for one year, in the SSD table layout.

Contacts and early help are not in any statutory return (Annex A lists 1 and 2 come from
them), and nor are children's addresses (which a reorganisation splits on), so LAs send them
from their own systems; here as the SSD tables ssd_address, ssd_contacts and
ssd_early_help_episodes, column names exactly the SSD fields, dates ISO YYYY-MM-DD.
A year's file holds contacts dated in the year and addresses and early help episodes in
force at any time in it; an end date after 31 March is not yet known and is left blank
(with its reason, for early help).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

from headway.synth import codes
from headway.synth.dates import iso
from headway.synth.history import Child
from headway.synth.records import ManifestFile, Year

ADDRESS_COLUMNS = (
    "addr_table_id",
    "addr_person_id",
    "addr_address_type",
    "addr_address_start_date",
    "addr_address_end_date",
    "addr_address_postcode",
)
CONTACT_COLUMNS = (
    "cont_contact_id",
    "cont_person_id",
    "cont_contact_date",
    "cont_contact_source_code",
    "cont_contact_source_desc",
    "cont_contact_outcome_json",
)
EARLY_HELP_COLUMNS = (
    "earl_episode_id",
    "earl_person_id",
    "earl_episode_start_date",
    "earl_episode_end_date",
    "earl_episode_reason",
    "earl_episode_end_reason",
    "earl_episode_organisation",
    "earl_episode_worker_id",
)
# The SSD contact outcome: every key present, whatever the outcome (ssd_contacts.yml).
_OUTCOME_KEYS = (
    "NEW_REFERRAL_FLAG",
    "EXISTING_REFERRAL_FLAG",
    "CP_ENQUIRY_FLAG",
    "NFA_FLAG",
    "NON_AGENCY_ADOPTION_FLAG",
    "PRIVATE_FOSTERING_FLAG",
    "ADVICE_FLAG",
    "MISSING_FLAG",
    "OLA_CP_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
)
_OUTCOME_FLAG = {
    "referral": "NEW_REFERRAL_FLAG",
    "existing": "EXISTING_REFERRAL_FLAG",
    "nfa": "NFA_FLAG",
    "advice": "ADVICE_FLAG",
}
OUTCOME_JSON = {
    outcome: json.dumps({k: "Y" if k == flag else "N" for k in _OUTCOME_KEYS})
    for outcome, flag in _OUTCOME_FLAG.items()
}


def _first_known(child: Child) -> int:
    """The day the LA first knew the child: its first contact, referral or early help."""
    days = [k.day for k in child.contacts] + [e.referral for e in child.episodes]
    return min(days + [h.start for h in child.early_help])


class LocalExtractWriter:
    """One year's ssd_contacts.csv and ssd_early_help_episodes.csv for one LA."""

    def __init__(self, year: Year) -> None:
        self.y = year
        self.folder: Path = year.folder / "local"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._files: list[IO[str]] = []
        self._addresses = self._open("ssd_address.csv", ADDRESS_COLUMNS)
        self._contacts = self._open("ssd_contacts.csv", CONTACT_COLUMNS)
        self._early_help = self._open("ssd_early_help_episodes.csv", EARLY_HELP_COLUMNS)
        self.counts = {"ssd_address": 0, "ssd_contacts": 0, "ssd_early_help_episodes": 0}
        self._closed = False

    def _open(self, name: str, header: tuple[str, ...]) -> Any:
        fh = (self.folder / name).open("w", newline="", encoding="utf-8")
        self._files.append(fh)
        writer = csv.writer(fh)
        writer.writerow(header)
        return writer.writerow

    def add(self, child: Child) -> None:
        y = self.y
        known = _first_known(child) <= y.end  # the LA records addresses of children it knows
        for a in child.addresses if known else ():
            end = a.end if a.end is not None and a.end <= y.end else None
            if a.start <= y.end and (a.end is None or a.end >= y.start):
                self._addresses(
                    [a.id, child.id, "HOME", iso(a.start), iso(end) if end else "", a.postcode]
                )
                self.counts["ssd_address"] += 1
        for k in child.contacts:
            if y.within(k.day):
                source = codes.cin_code("ReferralSource", k.source, y.year)
                self._contacts(
                    [
                        k.id, child.id, iso(k.day), source, codes.REFERRAL_SOURCE_LABEL[source],
                        OUTCOME_JSON[k.outcome],
                    ]
                )  # fmt: skip
                self.counts["ssd_contacts"] += 1
        for h in child.early_help:
            if y.overlaps(h.start, h.end):
                ended = h.end <= y.end
                self._early_help(
                    [
                        h.id, child.id, iso(h.start), iso(h.end) if ended else "", h.reason,
                        h.end_reason if ended else "", h.organisation, h.worker,
                    ]
                )  # fmt: skip
                self.counts["ssd_early_help_episodes"] += 1

    def close(self) -> list[ManifestFile]:
        if not self._closed:
            self._closed = True
            for fh in self._files:
                fh.close()
        return [
            {
                "path": self.y.relative(self.folder / f"{table}.csv"),
                "format": "ssd_extract",
                "records": {table: self.counts[table]},
            }
            for table in ("ssd_address", "ssd_contacts", "ssd_early_help_episodes")
        ]
