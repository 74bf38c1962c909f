"""CIN census XML schemas for collection years with no public XSD (2025 onwards).

The newest real schema (2023-24, used for the 2024 collection) is edited with lxml by the
documented changes:

- 2025 (2024-25): `GenderCurrent` in ChildIdentifiers is replaced by `Sex` (N00783), codes
  M, F and U (unborn or not known), per the D2I CIN validator 2024-25 rules 4180 and 8750.
- 2027 (2026-27): each CINdetails may carry repeating `PreProceedingsandFGDM` blocks, after
  ChildProtectionPlans, per the D2I CIN validator 2026-27 rules 9000Q-9015Q (items
  N00826-N00835). Not yet confirmed against DfE's specification text: every child element
  is optional (rule 9000Q asks LAs that do not yet collect it to leave it blank); dates are
  xs:date, FGDMMeetingOffer and FGDMMeetingFac take the CIN yes/no codes (the validator
  compares with "1"), ReviewMeetingsCount is a non-negative integer and PPOutcome is code
  set CS131 (A, B, C; rule 9011).

2026 (2025-26) has no documented structural change, so it is the 2025 schema.
"""

from __future__ import annotations

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
FIRST_DERIVED_YEAR = 2025
PRE_PROCEEDINGS_FROM = 2027
SEX_CODES = (("M", "Male"), ("F", "Female"), ("U", "Unborn or not known"))
PP_OUTCOME_CODES = (
    ("A", "Care proceedings issued"),
    ("B", "Stepped down from pre-proceedings"),
    ("C", "Other outcome"),
)
# (element, type) in document order, per the D2I validator's PreProceedings table.
PRE_PROCEEDINGS = (
    ("PPStartDate", "xs:date"),
    ("LBPSentDate", "xs:date"),
    ("FGDMMeetingOffer", "yesnotype"),
    ("FGDMMeetingFac", "yesnotype"),
    ("InitialPPMeetingDate", "xs:date"),
    ("ReviewMeetingsCount", "xs:nonNegativeInteger"),
    ("StepDecisionDate", "xs:date"),
    ("PPOutcome", "ppoutcometype"),
    ("CourtAppDate", "xs:date"),
    ("LetterInitCPDate", "xs:date"),
)


def _q(tag: str) -> str:
    return f"{{{XS}}}{tag}"


def _named(root: etree._Element, kind: str, name: str) -> etree._Element:
    found = root.find(f"{_q(kind)}[@name='{name}']")
    if found is None:
        raise ValueError(f"the base schema has no {kind} named {name!r}")
    return found


def _element(parent: etree._Element, name: str) -> etree._Element:
    found = parent.find(f".//{_q('element')}[@name='{name}']")
    if found is None:
        raise ValueError(f"the base schema has no element {name!r} where expected")
    return found


def _code_list(name: str, base: str, codes: tuple[tuple[str, str], ...]) -> etree._Element:
    simple = etree.Element(_q("simpleType"), name=name)
    restriction = etree.SubElement(simple, _q("restriction"), base=base)
    for value, label in codes:
        enum = etree.SubElement(restriction, _q("enumeration"), value=value)
        doc = etree.SubElement(etree.SubElement(enum, _q("annotation")), _q("documentation"))
        doc.text = label
    return simple


def _insert_after(anchor: etree._Element, new: etree._Element, indent: str) -> None:
    new.tail = anchor.tail
    anchor.tail = "\n\n" + indent if indent == "  " else "\n" + indent
    anchor.addnext(new)
    _reindent(new, indent)


def _reindent(el: etree._Element, indent: str) -> None:
    """Indent a new subtree to sit at `indent` in a two-space indented schema."""
    children = list(el)
    if not children:
        return
    el.text = "\n" + indent + "  "
    for i, child in enumerate(children):
        _reindent(child, indent + "  ")
        child.tail = "\n" + indent + ("  " if i < len(children) - 1 else "")


def _sex(root: etree._Element) -> None:
    gender = _element(_named(root, "complexType", "childidentifierstype"), "GenderCurrent")
    gender.set("name", "Sex")
    gender.set("type", "sextype")
    old = _named(root, "simpleType", "gendertype")
    new = _code_list("sextype", "nonEmptyString", SEX_CODES)
    _insert_after(old, new, "  ")
    root.remove(old)


def _pre_proceedings(root: etree._Element) -> None:
    details = _named(root, "complexType", "cindetailstype")
    plans = _element(details, "ChildProtectionPlans")
    block = etree.Element(
        _q("element"),
        name="PreProceedingsandFGDM",
        type="preproceedingstype",
        minOccurs="0",
        maxOccurs="unbounded",
    )
    _insert_after(plans, block, "      ")
    complex_ = etree.Element(_q("complexType"), name="preproceedingstype")
    sequence = etree.SubElement(complex_, _q("sequence"))
    for name, type_ in PRE_PROCEEDINGS:
        etree.SubElement(
            sequence, _q("element"), name=name, type=type_, minOccurs="0", maxOccurs="1"
        )
    _insert_after(_named(root, "complexType", "childprotectionplanstype"), complex_, "  ")
    outcome = _code_list("ppoutcometype", "nonEmptyString", PP_OUTCOME_CODES)
    _insert_after(_named(root, "simpleType", "reasonforclosuretype"), outcome, "  ")


def _note(root: etree._Element, year: int) -> None:
    changes = ["GenderCurrent replaced by Sex (M, F, U)"]
    if year >= PRE_PROCEEDINGS_FROM:
        changes.append("optional repeating PreProceedingsandFGDM block in CINdetails")
    annotation = etree.Element(_q("annotation"))
    doc = etree.SubElement(annotation, _q("documentation"))
    doc.text = (
        f"Derived by Headway for the {year - 1}-{year % 100:02d} CIN census (collection "
        f"year {year}) from the 2023-24 schema: " + "; ".join(changes) + "."
    )
    root.insert(0, annotation)
    annotation.tail = "\n\n  "
    _reindent(annotation, "  ")


def derive_xsd(base_xsd: str, year: int) -> str:
    """The CIN census XSD for collection `year` (2025 or later) from the real 2024 XSD text.

    Returns schema text without an XML declaration (it is already a str); parse it with
    `etree.fromstring(text)`. Raises ValueError for earlier years (use the real XSD) or a
    base that is not the expected CIN census schema.
    """
    if year < FIRST_DERIVED_YEAR:
        raise ValueError(
            f"collection year {year} has a real XSD; derive only {FIRST_DERIVED_YEAR}+"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)
    root = etree.fromstring(base_xsd.encode("utf-8"), parser)
    if root.tag != _q("schema"):
        raise ValueError("the base text is not an XML schema")
    _sex(root)
    if year >= PRE_PROCEEDINGS_FROM:
        _pre_proceedings(root)
    _note(root, year)
    return etree.tostring(root, encoding="unicode") + "\n"
