"""Applications in the workflow, with the evidence, change requests,
assignments, scorecards and history their state implies."""

import datetime
from collections import defaultdict
from types import SimpleNamespace
from typing import TYPE_CHECKING

from .certificates import result_scores
from .plan import EVIDENCE_FILE, OPEN_STATES, SHARED_PDF, WORKFLOW_STATES, scaled

if TYPE_CHECKING:
    from .seeder import Seeder


def workflow(s: "Seeder") -> str:
    rng = s.rng
    count = scaled("workflow_applications", s.scale, len(WORKFLOW_STATES))
    states = [s for s, _share in WORKFLOW_STATES]
    shares = [share for _s, share in WORKFLOW_STATES]
    planned = rng.choices(states, weights=shares, k=count)
    # One open application per business and standard: open ones take a
    # membership each, closed ones any membership.
    free = [p for p in s.pairs if p.active]
    rng.shuffle(free)
    open_wanted = sum(1 for s in planned if s in OPEN_STATES)
    if open_wanted > len(free):  # a tiny --scale: fewer memberships than open applications
        planned = [s if s not in OPEN_STATES else "withdrawn" for s in planned]
        for i in range(len(free)):
            planned[i] = states[i % 5]
    rows = SimpleNamespace(
        applications=[],
        evidence=[],
        change_requests=[],
        assignments=[],
        scorecards=[],
        scores=[],
        conflicts={},
    )
    active_pairs = [p for p in s.pairs if p.active]
    for state in planned:
        pair = free.pop() if state in OPEN_STATES else rng.choice(active_pairs)
        _application(s, state, pair, rows)
    M, w = s.M, s.w
    w.insert(M.Application, rows.applications)
    w.insert(M.Evidence, rows.evidence)
    w.insert(M.ChangeRequest, rows.change_requests)
    w.insert(M.Assignment, rows.assignments)
    w.insert(M.Scorecard, rows.scorecards)
    w.insert(M.Score, rows.scores)
    w.insert(M.ConflictOfInterest, rows.conflicts.values())
    by_state = defaultdict(int)
    for a in rows.applications:
        by_state[a["status"]] += 1
    return (
        ", ".join(f"{s} {n:,}" for s, n in sorted(by_state.items()))
        + f"; evidence {len(rows.evidence):,}, assignments {len(rows.assignments):,}, "
        f"scores {len(rows.scores):,}"
    )


def _application(s: "Seeder", state: str, pair, rows) -> None:
    rng, a, ct = s.rng, pair.association, s.ct.application
    business, owner = pair.business, s.owner_of[pair.business]
    application_id = s.ids("application")
    if state in OPEN_STATES:
        created = s.now - datetime.timedelta(days=rng.randint(3, 120), hours=rng.randint(0, 8))
    else:
        created = s.now - datetime.timedelta(days=rng.randint(130, 900), hours=rng.randint(0, 8))
    row = {
        "id": application_id,
        "business_id": business,
        "association_id": a.id,
        "standard_id": a.standard_id,
        "status": state,
        "created_by_id": owner,
        "created_at": created,
        "decision_reason": "",
    }
    rows.applications.append(row)
    latest = s.latest_certificate.get((business, a.id))
    if state in OPEN_STATES and latest and rng.random() < 0.4:
        row["renews_id"] = latest[0]
    clock = [created]

    def later(hours: float) -> datetime.datetime:
        clock[0] = min(s.now, clock[0] + datetime.timedelta(hours=hours * rng.uniform(0.5, 1.5)))
        return clock[0]

    def log(priority, action, actor, data) -> None:
        s.log(priority, later(2), a.id, ct, application_id, action, actor, data)

    # Open applications' histories come first; closed ones keep only their transitions.
    p, detail = (1, True) if state in OPEN_STATES else (3, False)
    log(p, "application.created", owner, {"to": "draft"})
    required = [c for c in a.criteria if c[3]]
    if state in ("draft", "withdrawn"):
        with_evidence = rng.sample(required, rng.randint(0, len(required)))
    else:
        with_evidence = required
    for criterion_id, code, _dimension, _required in with_evidence:
        uploaded = later(3)
        rows.evidence.append(
            {
                "id": s.ids("evidence"),
                "application_id": application_id,
                "criterion_id": criterion_id,
                "file": EVIDENCE_FILE,
                "original_name": f"{code.lower()}-evidence.pdf",
                "content_type": "application/pdf",
                "size": len(SHARED_PDF),
                "sha256": s.pdf_sha256,
                "description": "Policy document and last quarter's records",
                "uploaded_by_id": owner,
                "uploaded_at": uploaded,
            }
        )
        if detail:
            s.log(
                p,
                uploaded,
                a.id,
                ct,
                application_id,
                "evidence.added",
                owner,
                {"criterion": code, "name": f"{code.lower()}-evidence.pdf", "sha256": s.pdf_sha256},
            )
    if state == "draft":
        return
    if state == "withdrawn" and len(with_evidence) < len(required):
        row["status"] = "withdrawn"
        log(p, "application.withdraw", owner, {"from": "draft", "to": "withdrawn", "reason": "Not ready."})
        return
    row["submitted_at"] = later(24)
    log(p, "application.submit", owner, {"from": "draft", "to": "submitted", "reason": ""})

    # Auditors: submitted ones wait for one (half of them) or for the declaration.
    if state in ("submitted", "withdrawn"):
        auditors = 1 if rng.random() < 0.5 else 0
    elif state in ("scored", "rejected"):
        auditors = 2 if rng.random() < 0.7 else 1
    else:
        auditors = rng.choice((1, 2))
    pool = list(s.auditors_of[a.id])
    chosen = rng.sample(pool, min(auditors, len(pool)))
    if state in ("rejected", "withdrawn") and a.id in s.inactive_auditors and chosen and rng.random() < 0.3:
        chosen[0] = s.inactive_auditors[a.id]
    assignments = []
    for index, (profile_id, auditor_user, auditor_name) in enumerate(chosen):
        assigned = later(24)
        due = (assigned + datetime.timedelta(days=rng.randint(10, 30))).date()
        if state in ("submitted", "withdrawn"):
            declaration = "conflict" if rng.random() < 0.03 else "pending"
        elif state == "in_review" and index == 1 and rng.random() < 0.4:
            declaration = "pending"
        else:
            declaration = "no_conflict"
        assignment = {
            "id": s.ids("assignment"),
            "application_id": application_id,
            "auditor_id": profile_id,
            "due_date": due,
            "assigned_by_id": a.staff["officer"],
            "assigned_at": assigned,
            "declaration": declaration,
            "conflict_reason": "I advised the owner last year." if declaration == "conflict" else "",
            "declared_at": later(12) if declaration != "pending" else None,
        }
        rows.assignments.append(assignment)
        assignments.append((assignment, auditor_user, auditor_name))
        log(
            p,
            "audit.assigned",
            a.staff["officer"],
            {"auditor": auditor_name, "due_date": due.isoformat()},
        )
        if declaration == "conflict":
            rows.conflicts.setdefault(
                (profile_id, business, a.id),
                {
                    "id": s.ids("conflict"),
                    "auditor_id": profile_id,
                    "business_id": business,
                    "association_id": a.id,
                    "reason": "I advised the owner last year.",
                    "declared_at": assignment["declared_at"],
                },
            )
            log(
                p,
                "audit.conflict_declared",
                auditor_user,
                {
                    "auditor": auditor_name,
                    "before": "pending",
                    "after": "conflict",
                    "reason": "I advised the owner last year.",
                },
            )
        elif declaration == "no_conflict":
            log(
                p,
                "audit.no_conflict",
                auditor_user,
                {"auditor": auditor_name, "before": "pending", "after": "no_conflict"},
            )
            if index == 0:
                log(
                    p,
                    "application.start_review",
                    auditor_user,
                    {"from": "submitted", "to": "in_review", "reason": ""},
                )
    if state == "submitted":
        return
    if state == "withdrawn":
        log(
            p,
            "application.withdraw",
            owner,
            {"from": "submitted", "to": "withdrawn", "reason": "Not ready."},
        )
        return

    cleared = [x for x in assignments if x[0]["declaration"] == "no_conflict"]
    quality = s.business_quality[business]
    # A previous round of changes, answered and resolved.
    if state in ("in_review", "scored", "rejected") and cleared and rng.random() < 0.3:
        _change_requests(s, rows, application_id, a, cleared[0], owner, log, p, resolved=True, later=later)
    if state == "changes_requested":
        _change_requests(s, rows, application_id, a, cleared[0], owner, log, p, resolved=False, later=later)
    submit = state in ("scored", "rejected")
    for assignment, auditor_user, auditor_name in cleared:
        if not submit and rng.random() < 0.4:
            continue  # not started scoring yet
        scorecard_id = s.ids("scorecard")
        started = later(24)
        rows.scorecards.append(
            {
                "id": scorecard_id,
                "assignment_id": assignment["id"],
                "created_at": started,
                "updated_at": later(4),
                "submitted_at": later(1) if submit else None,
            }
        )
        criteria = a.criteria if submit else a.criteria[: rng.randint(1, len(a.criteria))]
        for criterion_id, _code, _dimension, _required in criteria:
            # Auditors agree within a point: no consensus is needed.
            score = max(1, min(5, round(1 + 4 * quality + rng.uniform(-0.6, 0.6))))
            rows.scores.append(
                {
                    "id": s.ids("score"),
                    "scorecard_id": scorecard_id,
                    "criterion_id": criterion_id,
                    "score": score,
                    "comment": "Seen on site." if score >= 3 else "Records incomplete; see notes.",
                }
            )
        log(p, "audit.scores_saved", auditor_user, {"auditor": auditor_name, "before": {}, "after": {}})
        if submit:
            log(p, "audit.scorecard_submitted", auditor_user, {"auditor": auditor_name})
    if state in ("scored", "rejected"):
        # The result mark_scored stores on the application.
        overall, dimensions = result_scores(quality, rng)
        reached = next((lv for lv in a.levels if overall >= lv[0]), None)
        row.update(
            overall_score=overall,
            dimension_scores=dimensions,
            level_reached_id=reached[1] if reached else None,
        )
        log(
            p,
            "application.mark_scored",
            cleared[-1][1],
            {"from": "in_review", "to": "scored", "reason": ""},
        )
    if state == "rejected":
        row["decided_at"] = later(48)
        row["decided_by_id"] = a.staff["admin"]
        row["decision_reason"] = "The complaints process does not meet REL-1 and RSP-2."
        log(
            p,
            "application.reject",
            a.staff["admin"],
            {"from": "scored", "to": "rejected", "reason": row["decision_reason"]},
        )


def _change_requests(
    s: "Seeder", rows, application_id, a, auditor, owner, log, p, *, resolved, later
) -> None:
    rng = s.rng
    _assignment, auditor_user, _name = auditor
    asked = [c for c in a.criteria if c[3]]
    log(
        p,
        "application.request_changes",
        auditor_user,
        {"from": "in_review", "to": "changes_requested", "reason": "Some evidence is missing."},
    )
    for criterion_id, code, _dimension, _required in rng.sample(asked, rng.randint(1, 3)):
        requested = later(2)
        answered = resolved or rng.random() < 0.4
        rows.change_requests.append(
            {
                "id": s.ids("change_request"),
                "application_id": application_id,
                "criterion_id": criterion_id,
                "message": "Add last quarter's complaint log.",
                "requested_by_id": auditor_user,
                "requested_at": requested,
                "response": "Added the log for April to June." if answered else "",
                "responded_at": later(24) if answered else None,
                "resolved_at": later(24) if resolved else None,
            }
        )
        if answered:
            log(p, "change_request.answered", owner, {"criterion": code, "response": "Added the log."})
    if resolved:
        log(
            p,
            "application.resubmit",
            owner,
            {"from": "changes_requested", "to": "in_review", "reason": ""},
        )
