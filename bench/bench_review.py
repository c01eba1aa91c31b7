"""Validate and review 1,000,000 synthetic candidate records; compare with a hand-written floor.

casework's path: the intake's parsers and lazy pandera validation of a results file as read
(text columns), its reference checks (batch, age against the ID's birth date), then the
renewal review (ATT5-STATS, ATT4-PLAN/PUBLISH/SIGN/SCOPE, REN-05), the anomalies and the
suggested verdicts. The floor: the same checks written directly in vectorised pandas/numpy
here. Each side runs in its own process: peak memory is that process's peak RSS while it
works (the load's own peak cleared first) above its RSS once the data is loaded. Targets:
casework's time ≤ 1.5 × the floor's, and its peak memory ≤ 3 × the results frame (deep size).

    .venv/bin/python bench/bench_review.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

TIME_TARGET = 1.5
MEMORY_TARGET = 3.0
AS_OF = date(2026, 12, 31)
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
PER_BATCH = 50
INSTITUTIONS = 200


# --- synthetic data ---------------------------------------------------------------------------
def resident_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` valid GB 11643 numbers as a numpy str array (vectorised)."""
    area = rng.choice([370102, 370203, 370305, 370602, 371302], n)
    born = np.datetime64("1960-01-01") + rng.integers(0, 16_000, n).astype("timedelta64[D]")
    ymd = pd.DatetimeIndex(born).strftime("%Y%m%d").to_numpy().astype("U8")
    seq = rng.integers(0, 1000, n)
    body = np.char.add(
        np.char.add(area.astype("U6"), ymd), np.char.zfill(seq.astype("U3"), 3)
    ).astype("U17")
    digits = body.view(np.uint32).reshape(n, 17).astype(np.int64) - 48
    check = CHECK[(digits @ WEIGHTS) % 11].view("S1").astype("U1")
    return np.char.add(body, check)


def uscc(body: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    w = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    return (
        body
        + alphabet[
            (31 - sum(alphabet.index(c) * x for c, x in zip(body, w, strict=True)) % 31) % 31
        ]
    )


def generate(rows: int, folder: Path) -> None:
    rng = np.random.default_rng(2025)
    n_batches = rows // PER_BATCH
    inst_ids = np.arange(1, INSTITUTIONS + 1)
    codes = [uscc(f"52370100MJ{i:07d}") for i in inst_ids]
    institutions = pd.DataFrame(
        {
            "institution_id": inst_ids,
            "name": [f"机构{i}" for i in inst_ids],
            "uscc": codes,
            "city_code": "370100",
        }
    )
    filings = pd.DataFrame(
        {
            "filing_id": inst_ids,
            "institution_id": inst_ids,
            "city_code": "370100",
            "status": "有效",
            "term_start": pd.Timestamp("2025-03-01"),
            "term_end": pd.Timestamp("2028-02-29"),
        }
    )
    terms = filings[["filing_id"]].assign(
        first_day=pd.Timestamp("2025-03-01"), last_day=pd.Timestamp("2028-02-29")
    )
    scope = pd.DataFrame(
        {
            "filing_id": np.repeat(inst_ids, 3),
            "project_code": np.tile(["P001", "P002", "P003"], INSTITUTIONS),
            "added_on": pd.Timestamp("2025-03-01"),
            "removed_on": pd.NaT,
        }
    )
    sites = pd.DataFrame(
        {
            "institution_id": np.repeat(inst_ids, 2),
            "site_code": np.tile(["S1", "S2"], INSTITUTIONS),
            "address": "地址",
            "city_code": "370100",
            "tenure": "自有",
            "lease_end": pd.NaT,
            "area": 300.0,
        }
    )
    b_inst = rng.integers(1, INSTITUTIONS + 1, n_batches)
    exam = pd.Timestamp("2025-04-01") + pd.to_timedelta(rng.integers(0, 600, n_batches), unit="D")
    batches = pd.DataFrame(
        {
            "batch_id": np.arange(1, n_batches + 1),
            "institution_id": b_inst,
            "batch_no": [f"B{i}" for i in range(1, n_batches + 1)],
            "project_code": rng.choice(
                ["P001", "P002", "P003", "P004"], n_batches, p=[0.5, 0.3, 0.19, 0.01]
            ),
            "site_code": rng.choice(["S1", "S2"], n_batches),
            "exam_date": exam,
            "plan_date": exam - pd.to_timedelta(rng.integers(3, 20, n_batches), unit="D"),
            "publish_start": exam + pd.Timedelta(days=7),
            "publish_end": exam
            + pd.to_timedelta(rng.integers(5, 12, n_batches), unit="D")
            + pd.Timedelta(days=7),
        }
    )
    evaluators = resident_ids(rng, INSTITUTIONS * 15).reshape(INSTITUTIONS, 15)
    batch_of = np.repeat(np.arange(n_batches), PER_BATCH)[:rows]
    inst_of = b_inst[batch_of] - 1
    ids = resident_ids(rng, rows)
    pick = rng.integers(0, 15, (3, rows))
    e3 = evaluators[inst_of, pick[2]].astype(object)
    e3[rng.random(rows) < 0.02] = None
    born = pd.to_datetime(pd.Series(ids).str.slice(6, 14), format="%Y%m%d")
    exam_of = exam[batch_of]
    age = (exam_of.year - born.dt.year).to_numpy()
    passed = rng.random(rows) < 0.85
    raw = pd.DataFrame(
        {
            "uscc": np.array(codes)[inst_of],
            "batch_no": batches["batch_no"].to_numpy()[batch_of],
            "id_number": ids,
            "gender": np.where(pd.Series(ids).str.slice(16, 17).astype(int) % 2 == 1, "男", "女"),
            "age": age.astype(str),
            "score": rng.integers(40, 101, rows).astype(str),
            "passed": np.where(passed, "是", "否"),
            "evaluator_1": evaluators[inst_of, pick[0]],
            "evaluator_2": evaluators[inst_of, (pick[0] + 1 + pick[1] % 14) % 15],
            "evaluator_3": e3,
        }
    ).astype("str")
    certificates = pd.DataFrame(
        {
            "institution_id": b_inst[batch_of][passed],
            "cert_no": [f"C{i}" for i in range(int(passed.sum()))],
            "id_number": ids[passed],
            "project_code": batches["project_code"].to_numpy()[batch_of][passed],
            "issued_on": exam_of[passed] + pd.Timedelta(days=20),
            "batch_id": (batch_of + 1)[passed],
        }
    )
    for name, frame in {
        "institutions": institutions,
        "filings": filings,
        "terms": terms,
        "scope": scope,
        "sites": sites,
        "batches": batches,
        "raw": raw,
        "certificates": certificates,
    }.items():
        frame.to_parquet(folder / f"{name}.parquet")


def load(folder: Path) -> dict[str, pd.DataFrame]:
    frames = {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}
    frames["raw"] = frames["raw"].astype("str")
    frames["batches"]["batch_no"] = frames["batches"]["batch_no"].astype("str")
    return frames


# --- casework ---------------------------------------------------------------------------------
def casework_path(f: dict[str, pd.DataFrame]) -> dict[str, int]:
    from casework.domain import evidence
    from casework.domain.evidence import frames as ef
    from casework.intake import KINDS, check_frame
    from casework.intake.resolve import Context, resolve

    kind = KINDS["results"]
    checked = check_frame(kind, f["raw"])
    ctx = Context(
        institutions=f["institutions"],
        projects=pd.DataFrame(columns=["project_code", "name"]),
        sites=f["sites"],
        batches=f["batches"][
            ["batch_id", "institution_id", "batch_no", "project_code", "exam_date"]
        ],
        filings=f["filings"],
        terms=f["terms"],
        scope=f["scope"],
        suspensions=ef.empty(ef.SuspensionsFrame),
        certificates=pd.DataFrame(columns=["cert_no", "institution_id"]),
    )
    resolved, problems = resolve(kind, checked.frame, ctx)
    results = resolved[list(ef.ResultsFrame.to_schema().columns)].astype(
        {"age": "int64", "passed": "bool", "batch_id": "int64"}
    )
    rv = evidence.review(
        f["filings"],
        f["terms"],
        f["scope"],
        ctx.suspensions,
        f["sites"],
        f["batches"],
        results,
        f["certificates"],
        as_of=AS_OF,
    )
    high = evidence.high_pass_rate(f["batches"], results)
    clashes = evidence.evaluator_clashes(f["batches"], results, f["institutions"])
    multi = evidence.multi_institution_candidates(f["certificates"], f["institutions"])
    sugg = evidence.suggest(
        rv,
        f["filings"],
        f["scope"],
        ef.empty(ef.StaffFrame),
        ef.empty(ef.BanksFrame),
        clashes=clashes,
        multi_certified=multi,
    )
    return {
        "problems": len(checked.problems) + len(problems),
        "unsigned": len(rv.unsigned),
        "plan_late": len(rv.plan_late),
        "publish_short": len(rv.publish_short),
        "out_of_scope": len(rv.out_of_scope),
        "high_pass": len(high),
        "clashes": len(clashes),
        "multi": len(multi),
        "suggestions": len(sugg),
    }


# --- the floor ----------------------------------------------------------------------------------
def _id_ok(s: pd.Series) -> np.ndarray:
    ok = np.zeros(len(s), dtype=bool)
    present = s.notna().to_numpy() & (s.str.len() == 18).fillna(False).to_numpy()
    b = s[present].to_numpy(dtype="U18").view(np.uint32).reshape(-1, 18)
    d = b[:, :17].astype(np.int64) - 48
    body = ((d >= 0) & (d <= 9)).all(axis=1)
    expected = CHECK[(np.clip(d, 0, 9) @ WEIGHTS) % 11]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    ok[present] = (
        body & (expected == b[:, 17]) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    )
    return ok


def floor_path(f: dict[str, pd.DataFrame]) -> dict[str, int]:
    from casework.domain.calendar import planning_calendar
    from casework.domain.identifiers import valid_uscc_mask

    raw = f["raw"]
    t = {c: raw[c].str.strip() for c in raw.columns}
    bad = ~_id_ok(t["id_number"])
    for c in ("evaluator_1", "evaluator_2", "evaluator_3"):
        bad |= t[c].notna().to_numpy() & ~_id_ok(t[c])
    codes = t["uscc"].drop_duplicates()
    bad |= ~t["uscc"].isin(codes[valid_uscc_mask(codes).to_numpy()]).to_numpy()
    age = pd.to_numeric(t["age"], errors="coerce")
    score = pd.to_numeric(t["score"], errors="coerce")
    bad |= (~age.between(0, 120) | ~score.between(0, 100)).to_numpy()
    passed = t["passed"].map({"是": True, "否": False})
    bad |= passed.isna().to_numpy() | ~t["gender"].isin(["男", "女"]).to_numpy()
    odd = t["id_number"].str.slice(16, 17).isin(list("13579"))
    bad |= ((t["gender"] == "男") != odd).to_numpy()
    bad |= pd.DataFrame(t)[["uscc", "batch_no", "id_number"]].duplicated(keep=False).to_numpy()
    inst = t["uscc"].map(f["institutions"].set_index("uscc")["institution_id"])
    keyed = pd.DataFrame({"institution_id": inst, "batch_no": t["batch_no"]}).merge(
        f["batches"][["institution_id", "batch_no", "batch_id", "exam_date", "project_code"]],
        how="left",
        on=["institution_id", "batch_no"],
    )
    born = pd.to_datetime(t["id_number"].str.slice(6, 14), format="%Y%m%d", errors="coerce")
    real_age = keyed["exam_date"].dt.year - born.dt.year
    bad |= ((age - real_age).abs() > 1).to_numpy() | keyed["batch_id"].isna().to_numpy()
    r = pd.DataFrame(
        {
            "batch_id": keyed["batch_id"],
            "project_code": keyed["project_code"],
            "id_number": t["id_number"],
            "passed": passed,
            "e1": t["evaluator_1"],
            "e2": t["evaluator_2"],
            "e3": t["evaluator_3"],
        }
    )
    signs = (
        r["e1"].notna().astype(int)
        + (r["e2"].notna() & (r["e2"] != r["e1"])).astype(int)
        + (r["e3"].notna() & (r["e3"] != r["e1"]) & (r["e3"] != r["e2"])).astype(int)
    )
    b = f["batches"].merge(f["filings"], on="institution_id")
    b = b[(b["exam_date"] >= b["term_start"]) & (b["exam_date"] <= pd.Timestamp(AS_OF))]
    cal = planning_calendar()
    lead = cal.count_workdays_many(b["plan_date"], b["exam_date"] - pd.Timedelta(days=1)).value
    shown = cal.count_workdays_many(b["publish_start"], b["publish_end"]).value
    scoped = b.merge(f["scope"], on=["filing_id", "project_code"], how="left", indicator=True)
    r = r.merge(b[["batch_id", "filing_id"]], on="batch_id")
    stats = r.groupby(["filing_id", "project_code"]).agg(
        assessed=("id_number", "size"), passed=("passed", "sum")
    )
    certs = f["certificates"].groupby(["institution_id", "project_code"]).size()
    per_batch = r.groupby("batch_id")["passed"].agg(["size", "mean"])
    signed = (
        pd.concat([r[["batch_id", c]].rename(columns={c: "e"}) for c in ("e1", "e2", "e3")])
        .dropna()
        .drop_duplicates()
    )
    signed = signed.merge(
        f["batches"][["batch_id", "institution_id", "site_code", "exam_date"]], on="batch_id"
    )
    places = (
        signed.assign(p=signed["institution_id"].astype(str) + signed["site_code"])
        .groupby(["e", "exam_date"])["p"]
        .nunique()
    )
    multi = f["certificates"].groupby("id_number")["institution_id"].nunique()
    return {
        "problems": int(bad.sum()),
        "unsigned": int((signs < 3).sum()),
        "plan_late": int((lead < 5).sum()),
        "publish_short": int((shown < 5).sum()),
        "out_of_scope": int((scoped["_merge"] == "left_only").sum()),
        "high_pass": int(((per_batch["size"] >= 30) & (per_batch["mean"] >= 0.98)).sum()),
        "clashes": int((places >= 2).sum()),
        "multi": int((multi >= 2).sum()),
        "stats": len(stats) + len(certs),
    }


# --- driver ---------------------------------------------------------------------------------------
def _status_mb(field: str) -> float:
    """A field of /proc/self/status (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def child(side: str, folder: Path) -> None:
    frames = load(folder)
    import casework.domain.evidence
    import casework.intake  # noqa: F401

    frame_mb = frames["raw"].memory_usage(deep=True).sum() / 2**20
    baseline = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak from here on (not the load's)
    started = time.perf_counter()
    counts = (casework_path if side == "casework" else floor_path)(frames)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": _status_mb("VmHWM"),
                "baseline_mb": baseline,
                "frame_mb": frame_mb,
                "counts": counts,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--side", choices=("casework", "floor"))
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.side:
        child(args.side, args.data)
        return 0
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        generate(args.rows, folder)
        took = time.perf_counter() - started
        print(f"rows: {args.rows:,} candidate records (generated in {took:.1f} s)")
        out = {}
        for side in ("floor", "casework"):
            done = subprocess.run(
                [sys.executable, __file__, "--side", side, "--data", str(folder)],
                capture_output=True,
                text=True,
                check=True,
            )
            out[side] = json.loads(done.stdout.strip().splitlines()[-1])
    ratio = out["casework"]["seconds"] / out["floor"]["seconds"]
    cw = out["casework"]
    memory = (cw["peak_mb"] - cw["baseline_mb"]) / cw["frame_mb"]
    print(f"load average at start: {load:.1f} (2 cores)")
    for side in ("casework", "floor"):
        o = out[side]
        over = o["peak_mb"] - o["baseline_mb"]
        print(
            f"{side:>9}: {o['seconds']:.2f} s, peak memory {o['peak_mb']:.0f} MB "
            f"({over:+.0f} MB over the loaded data); {o['counts']}"
        )
    print(f"ratio time: {ratio:.2f}× the floor (target ≤ {TIME_TARGET}×)")
    print(
        f"ratio memory: casework's peak above the loaded data = {memory:.2f}× the results "
        f"frame ({cw['frame_mb']:.0f} MB; target ≤ {MEMORY_TARGET:.0f}×)"
    )
    return 0 if ratio <= TIME_TARGET and memory <= MEMORY_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
