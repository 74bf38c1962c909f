"""`headway lab`: register support approaches and trials, allocate, load outcomes,
estimate what worked and report it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from headway.cli_common import JsonOpt, console, fail, out, print_json, run
from headway.ingest.text_files import open_text, sniff_delimiter
from headway.lab.model import DESIGNS, Participant, Trial
from headway.lab.store import Lab, lab_url

lab_app = typer.Typer(help="The lab: fair trials of the Centre's support, and what worked.")
approach_app = typer.Typer(help="Support approaches the Centre offers.")
lab_app.add_typer(approach_app, name="approach")

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="The Centre's database (default: centre.sqlite in --centre)."),
]
CentreOpt = Annotated[
    Path | None,
    typer.Option(
        "--centre", help="The Centre's folder (default: $HEADWAY_CENTRE, else ./headway-centre)."
    ),
]
TrialArg = Annotated[str, typer.Argument(help="The trial's name.")]


@contextmanager
def _lab(db: str | None, centre: Path | None) -> Iterator[Lab]:
    lab = run(lambda: Lab.open(lab_url(db, centre)))
    try:
        yield lab
    finally:
        lab.close()


@approach_app.command("add")
def approach_add(
    name: Annotated[str, typer.Argument(help="The approach's name.")],
    description: Annotated[str, typer.Option(help="What it is.")] = "",
    changes: Annotated[str, typer.Option(help="What it is meant to change.")] = "",
    cost: Annotated[float | None, typer.Option(help="Cost per LA, pounds.")] = None,
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Add a support approach to the register."""
    with _lab(db, centre) as lab:
        run(lambda: lab.add_approach(name, description, changes, cost))
    console.print(f"Added approach '{name}'.")


@approach_app.command("list")
def approach_list(db: DbOpt = None, centre: CentreOpt = None, as_json: JsonOpt = False) -> None:
    """The register of support approaches."""
    with _lab(db, centre) as lab:
        rows = lab.approaches()
    if as_json:
        print_json(
            [
                {
                    "name": a.name,
                    "description": a.description,
                    "intended_change": a.intended_change,
                    "cost_gbp": a.cost_gbp,
                }
                for a in rows
            ]
        )
        return
    t = Table("Approach", "What it is", "Meant to change", "Cost per LA", title="Approaches")
    for a in rows:
        t.add_row(
            escape(a.name),
            escape(a.description),
            escape(a.intended_change),
            f"£{a.cost_gbp:,.0f}" if a.cost_gbp is not None else "",
        )
    out.print(t)


@lab_app.command("register")
def lab_register(
    name: TrialArg,
    approach: Annotated[str, typer.Option(help="The approach being tried.")],
    plan: Annotated[Path, typer.Option(help="The analysis plan (text or Markdown), fixed now.")],
    primary: Annotated[str, typer.Option(help="The primary outcome's name (a panel column).")],
    first: Annotated[str, typer.Option("--from", help="First quarter, e.g. 2026Q1.")],
    last: Annotated[str, typer.Option("--to", help="Last quarter, e.g. 2027Q4.")],
    design: Annotated[str, typer.Option(help=f"One of: {', '.join(DESIGNS)}.")] = DESIGNS[0],
    secondary: Annotated[
        list[str] | None, typer.Option(help="A secondary outcome (repeat).")
    ] = None,
    lower_is_better: Annotated[
        bool,
        typer.Option(
            help="A fall in the primary outcome is the improvement (e.g. a failure rate)."
        ),
    ] = False,
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Register a trial with its pre-registered analysis plan, before any outcome is seen."""
    if not plan.is_file():
        fail(f"There is no analysis plan at {plan}.", "Write the plan first; it is fixed now.")
    text = plan.read_text("utf-8")
    with _lab(db, centre) as lab:
        trial = run(
            lambda: lab.register(
                name,
                approach,
                design,
                first,
                last,
                primary,
                secondary or [],
                text,
                not lower_is_better,
            )
        )
    console.print(f"Registered '{trial.name}'; analysis plan sha256 {trial.plan_sha256[:16]}...")


def _trial_json(lab: Lab, t: Trial) -> dict[str, Any]:
    allocated = lab.allocation(t)
    return {
        "name": t.name,
        "approach": lab.approach(t.approach_id).name,
        "design": t.design,
        "from": t.first_period,
        "to": t.last_period,
        "primary_outcome": t.primary_outcome,
        "secondary_outcomes": [s for s in t.secondary_outcomes.split(",") if s],
        "higher_is_better": t.higher_is_better,
        "registered": t.registered,
        "plan_sha256": t.plan_sha256,
        "las": len(lab.participants(t)),
        "allocation_version": allocated[0].version if allocated else None,
        "outcomes_loaded": lab.outcomes_loaded(t),
    }


@lab_app.command("trials")
def lab_trials(db: DbOpt = None, centre: CentreOpt = None, as_json: JsonOpt = False) -> None:
    """Every trial: design, LAs, allocation and outcomes loaded."""
    with _lab(db, centre) as lab:
        rows = [_trial_json(lab, t) for t in lab.trials()]
    if as_json:
        print_json(rows)
        return
    t = Table(
        "Trial", "Approach", "Design", "Quarters", "LAs", "Allocation", "Outcomes", title="Trials"
    )
    for r in rows:
        t.add_row(
            escape(r["name"]),
            escape(r["approach"]),
            r["design"],
            f"{r['from']} to {r['to']}",
            str(r["las"]),
            f"version {r['allocation_version']}" if r["allocation_version"] else "none",
            f"{r['outcomes_loaded']:,}",
        )
    out.print(t)


@lab_app.command("las")
def lab_las(
    trial: TrialArg,
    file: Annotated[Path, typer.Argument(help="CSV of LAs: la_code, region, size, ofsted.")],
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Add the participating LAs (with what allocation is stratified by)."""
    rows = _read_las(file)
    with _lab(db, centre) as lab:
        chosen = run(lambda: lab.trial(trial))
        added = run(lambda: lab.add_participants(chosen, rows))
    console.print(
        f"{file.name}: {len(rows)} LAs read, {added} added, "
        f"{len(rows) - added} already in the trial."
    )


def _read_las(file: Path) -> list[Participant]:
    if not file.is_file():
        fail(f"There is no file {file}.")
    with open_text(file) as f:
        first = f.readline()
        f.seek(0)
        reader = csv.DictReader(f, delimiter=sniff_delimiter(first))
        need = {"la_code", "region", "size", "ofsted"}
        if not need <= set(reader.fieldnames or []):
            fail(f"{file.name} needs the columns {', '.join(sorted(need))}.")
        rows = []
        for row in reader:
            code = (row["la_code"] or "").strip()
            if not code:
                fail(f"{file.name} line {reader.line_num} has no la_code; nothing was added.")
            rows.append(
                Participant(
                    la_code=code,
                    region=row["region"].strip(),
                    size=row["size"].strip(),
                    ofsted=row["ofsted"].strip(),
                )
            )
    return rows


@lab_app.command("allocate")
def lab_allocate(
    trial: TrialArg,
    waves: Annotated[int, typer.Option(min=1, help="Waves of the stepped wedge.")],
    seed: Annotated[int, typer.Option(help="The random seed, recorded with the allocation.")],
    reason: Annotated[str, typer.Option(help="Why, when allocating again (audited).")] = "",
    db: DbOpt = None,
    centre: CentreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Randomise the trial's LAs to waves, stratified by region, size and Ofsted judgement."""
    from headway.lab.allocate import allocate

    with _lab(db, centre) as lab:
        chosen = run(lambda: lab.trial(trial))
        las = [
            {"code": p.la_code, "region": p.region, "size": p.size, "ofsted": p.ofsted}
            for p in lab.participants(chosen)
        ]
        if not las:
            fail(f"'{trial}' has no LAs yet.", f"Add them: headway lab las '{trial}' FILE.csv")
        result = run(lambda: allocate(las, waves, seed))
        row = run(lambda: lab.record_allocation(chosen, result.assignments, waves, seed, reason))
        _, members = lab.allocation(chosen) or (None, [])
    if as_json:
        print_json(
            result.to_dict()
            | {"version": row.version, "starts": {m.la_code: m.first_period for m in members}}
        )
        return
    t = Table("Wave", "Starts", "LAs", title=f"Allocation version {row.version}, seed {seed}")
    for w in range(1, waves + 1):
        ms = [m for m in members if m.wave == w]
        t.add_row(str(w), ms[0].first_period if ms else "", ", ".join(m.la_code for m in ms))
    out.print(t)
    for note in result.notes:
        out.print(f"Note: {escape(note)}")


@lab_app.command("outcomes")
def lab_outcomes(
    trial: TrialArg,
    panel: Annotated[
        Path,
        typer.Argument(
            help="CSV: la_code, period, one column per outcome, optional first_treated."
        ),
    ],
    db: DbOpt = None,
    centre: CentreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load outcomes (and actual adoption) per LA and quarter; all or nothing, reconciled."""
    from headway.lab.panel import read_panel

    with _lab(db, centre) as lab:
        chosen = run(lambda: lab.trial(trial))
        read = run(lambda: read_panel(panel, chosen))
        added, unchanged, corrected = run(lambda: lab.load_outcomes(chosen, read.rows, panel.name))
        if read.adoptions:
            lab.set_adoptions(chosen, read.adoptions, panel.name)
    result = {
        "lines": read.lines,
        "values": len(read.rows),
        "added": added,
        "unchanged": unchanged,
        "corrected": corrected,
        "blank": read.missing,
    }
    if as_json:
        print_json(result)
        return
    out.print(
        f"{panel.name}: {read.lines} lines, {len(read.rows) + len(read.missing)} values "
        f"= {added} added + {unchanged} unchanged + {corrected} corrected (audited) + "
        f"{len(read.missing)} blank"
    )
    for m in read.missing[:10]:
        out.print(f"  blank: {escape(m)}")


@lab_app.command("power")
def lab_power(
    las: Annotated[int, typer.Option(min=2, help="LAs in the trial.")],
    waves: Annotated[int, typer.Option(min=1, help="Waves of the stepped wedge.")],
    effect: Annotated[float, typer.Option(help="The effect to detect, in outcome units.")],
    sd: Annotated[
        float | None,
        typer.Option(
            help="The outcome's standard deviation within an LA-quarter (continuous outcomes)."
        ),
    ] = None,
    baseline: Annotated[
        float | None, typer.Option(help="The baseline proportion (binary outcomes), e.g. 0.05.")
    ] = None,
    icc: Annotated[float | None, typer.Option(help="Intra-cluster correlation.")] = None,
    tau: Annotated[float | None, typer.Option(help="Between-LA standard deviation.")] = None,
    per_cell: Annotated[int, typer.Option(help="Observations per LA per quarter.")] = 1,
    alpha: Annotated[float, typer.Option(help="Two-sided significance level.")] = 0.05,
    simulate: Annotated[
        int,
        typer.Option(help="Also estimate power from this many simulated trials (0: formula only)."),
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Power of a stepped-wedge trial: Hussey and Hughes's formula, and by simulation."""
    from headway.lab.power import hussey_hughes_power, simulated_power, stepped_wedge_design

    if (sd is None) == (baseline is None):
        fail("Give --sd for a continuous outcome or --baseline for a proportion.")
    if (icc is None) == (tau is None):
        fail("Give --icc or --tau for how much LAs differ.")
    design = run(lambda: stepped_wedge_design(las, waves))
    formula = run(
        lambda: hussey_hughes_power(
            design,
            effect,
            sigma=sd,
            baseline=baseline,
            tau=tau,
            icc=icc,
            per_cell=per_cell,
            alpha=alpha,
        )
    )
    result: dict[str, Any] = {
        "las": las,
        "waves": waves,
        "effect": effect,
        "hussey_hughes_power": formula,
    }
    if simulate:
        sigma = sd
        if sigma is None:
            fail("Simulation needs a continuous outcome (--sd).")
            return
        sim = run(
            lambda: simulated_power(
                design,
                effect,
                sigma=sigma,
                tau=tau,
                icc=icc,
                per_cell=per_cell,
                sims=simulate,
                alpha=alpha,
                seed=1,
            )
        )
        result |= {"simulated_power": sim.power, "simulation_mcse": sim.mcse, "sims": sim.sims}
    if as_json:
        print_json(result)
        return
    out.print(
        f"Power to detect {effect:g} with {las} LAs in {waves} waves: {formula:.3f} "
        "(Hussey and Hughes)"
    )
    if "simulated_power" in result:
        out.print(
            f"By simulation: {result['simulated_power']:.3f} "
            f"(± {result['simulation_mcse']:.3f}, {simulate} trials)"
        )


ControlOpt = Annotated[str, typer.Option(help="Compare with LAs notyettreated or nevertreated.")]
BootOpt = Annotated[int, typer.Option(min=0, help="Multiplier-bootstrap draws (0: analytic).")]


@lab_app.command("estimate")
def lab_estimate(
    trial: TrialArg,
    outcome: Annotated[str | None, typer.Option(help="Default: the primary outcome.")] = None,
    control: ControlOpt = "notyettreated",
    bootstrap: BootOpt = 999,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 1,
    db: DbOpt = None,
    centre: CentreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Callaway and Sant'Anna effects: overall, by wave, by time since start, by period."""
    from headway.lab.results import estimate_trial

    if control not in ("notyettreated", "nevertreated"):
        fail(f"'{control}' is not a comparison group.", "Use notyettreated or nevertreated.")
    with _lab(db, centre) as lab:
        chosen = run(lambda: lab.trial(trial))
        result = run(
            lambda: estimate_trial(lab, chosen, outcome, control, bootstrap, seed)  # type: ignore[arg-type]
        )
    if as_json:
        print_json(result.to_dict())
        return
    t = Table("Aggregation", "Effect", "95% interval", "LAs", title=f"{trial}: effects")
    for name, agg in result.aggregations.items():
        o = agg.overall
        t.add_row(name, f"{o.att:.3f}", f"{o.lower:.3f} to {o.upper:.3f}", str(o.las))
    out.print(t)
    if result.pretrend is not None:
        out.print(f"Pre-trend test: p = {result.pretrend.p_value:.3f}")
    for note in result.notes:
        out.print(f"Note: {escape(note)}")


@lab_app.command("report")
def lab_report(
    trial: TrialArg,
    html: Annotated[Path, typer.Option("--html", help="Where to write the report.")],
    bootstrap: BootOpt = 999,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 1,
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """The trial report: event study, effects with cohort sizes, pre-trends, verdict, and
    what works across every trial with outcomes."""
    from headway.lab.results import write_trial_report

    with _lab(db, centre) as lab:
        path = run(lambda: write_trial_report(lab, trial, html, bootstrap, seed))
    console.print(f"Wrote {path}")


@lab_app.command("audit")
def lab_audit(
    trial: TrialArg, db: DbOpt = None, centre: CentreOpt = None, as_json: JsonOpt = False
) -> None:
    """Everything that happened to a trial after it was registered."""
    with _lab(db, centre) as lab:
        rows = lab.audit(run(lambda: lab.trial(trial)))
    if as_json:
        print_json([{"at": a.at, "action": a.action, "detail": a.detail} for a in rows])
        return
    t = Table("When", "What", "Detail", title=f"Audit: {trial}")
    for a in rows:
        t.add_row(f"{a.at:%Y-%m-%d %H:%M}", a.action, escape(a.detail))
    out.print(t)
