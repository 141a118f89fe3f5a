"""Why a scenario has no plan, in words a user can act on, with the numbers.

Two passes: quick counting rules (minimums against send days, daily caps,
credits and follow-up eligibility), then, for what the rules cannot name, an
elastic copy of the model that lets minimums and reserves give way and
reports which gave way and by how much.
"""

from __future__ import annotations

import math

from planner.model import MinimumSlack, ReserveSlack, build_model
from planner.problem import FreshStart, Problem, StartState
from planner.scenario import SpeedGuard
from planner.solver import Deadline, Solver, Target, run

ALONE_SECONDS = 5.0  # the elastic model's limit when the diagnosis is asked for on its own


def _cycle_label(problem: Problem, k: int) -> str:
    """Cycle k in words, with the days the plan covers: a re-plan's current cycle starts today."""
    cal = problem.calendar
    days = problem.days_of(k)
    match problem.start:
        case StartState() if days.start > cal.cycle_starts[k]:
            return f"cycle {k + 1} from today ({cal.date_of(days.start)} to {cal.date_of(cal.cycle_end(k))})"
        case FreshStart() | StartState():
            return f"cycle {k + 1} ({cal.date_of(cal.cycle_starts[k])} to {cal.date_of(cal.cycle_end(k))})"


def _first_grant(problem: Problem, k: int) -> int:
    """The grant cycle k still brings: none in a re-plan's current cycle once its first day is past."""
    return problem.grants[k] if problem.calendar.cycle_starts[k] >= problem.first_day else 0


def _seat_rules(problem: Problem, k: int, label: str) -> list[str]:
    """Minimums of a seat in cycle k that its send days, its daily cap or its seat cap cannot hold."""
    reasons: list[str] = []
    days = problem.days_of(k)
    for seat in problem.seats:
        where = f"{label}, seat {seat.name}" if problem.is_team else label
        send_days = sum(1 for t in days if problem.can_send(t, seat.index))
        total_min = sum(problem.min_of(b, k) for b in problem.buckets_of(seat.index))
        if total_min and send_days == 0:
            reasons.append(
                f"{where}: minimums need {total_min} sends but the cycle has no send day "
                f"(send days {', '.join(map(str, seat.send_days)) or 'none'}, {len(seat.days_off)} days off)"
            )
        elif seat.daily_cap is not None and total_min > send_days * seat.daily_cap:
            reasons.append(
                f"{where}: minimums need {total_min} sends but {send_days} send days x {seat.daily_cap}/day allow "
                f"{send_days * seat.daily_cap}"
            )
        paid_min = sum(problem.min_of(b, k) for b in problem.buckets_of(seat.index) if not b.free)
        if seat.seat_cap is not None and paid_min > seat.seat_cap:
            reasons.append(f"{where}: minimums need {paid_min} credit-paid sends but the seat cap allows {seat.seat_cap}")
    return reasons


def counting_rules(problem: Problem) -> list[str]:
    """Conflicts that simple counts prove, each with its numbers (over the cycles the plan covers)."""
    s = problem.scenario
    reasons: list[str] = []
    # credits held before the first cycle ahead: a re-plan's lots and the credit-backs the log still expects
    carried = problem.opening_credits + sum(problem.start.credits_due.values())
    for k in problem.cycles_ahead():
        label = _cycle_label(problem, k)
        days = problem.days_of(k)
        reasons += _seat_rules(problem, k, label)
        paid_min = sum(problem.min_of(b, k) for b in problem.buckets if not b.free)
        tier = problem.tiers[k]
        cap = problem.balance_cap(k)
        grant = _first_grant(problem, k)
        held = grant + carried if cap is None or grant == 0 else min(grant + carried, max(cap, carried))
        refund = (
            s.refund_reliance * max((b.rate for b in problem.buckets if not b.free), default=0.0) if tier.credit_back else 0.0
        )
        # every paid send returns at most `refund` credits, so sends <= held / (1 - refund)
        most = held / (1 - refund) if refund < 1 else float("inf")
        # the reserve binds the minimums only when no send day falls in the cycle's release days
        release_sends = any(problem.can_send(t) and not problem.reserve_applies(t) for t in days)
        floor = 0 if release_sends else problem.reserve_floor(k)
        if paid_min + floor > most + 1e-9:
            parts = f"{grant} credits granted" if grant else "no new grant"
            if carried:
                parts += f" plus at most {carried:g} {'held today' if grant == 0 else 'carried over'}"
            if refund:
                parts += " and the expected credit-backs"
            keep = f" and the reserve keeps {floor}" if floor else ""
            reasons.append(
                f"{label}: minimums need {paid_min} credit-paid sends{keep}, but {tier.name} gives "
                f"{parts}: at most {int(most + 1e-9)} sends"
            )
        carried = 0.0 if tier.max_age_days is None else max(0.0, held - paid_min)
    reasons += _follow_up_rules(problem)
    reasons += _pace_rules(problem)
    return reasons


def most_sends_under_guard(problem: Problem, guard: SpeedGuard) -> list[int]:
    """Per day, the most InMails the speed guard (and the daily cap) lets a plan send: sending the most every day.

    The guard's allowance grows with what was sent before, so sending the most on
    every earlier day allows the most on each day: no schedule sends more on any
    day, nor over any set of days, than these counts.
    """
    cap = problem.scenario.daily_cap
    most = [0] * problem.n_days
    for t in problem.days:
        if problem.can_send(t):
            allowed = math.floor(guard.allowed(sum(most[max(0, t - 7) : t]) + problem.sent_in_week_before(t)) + 1e-9)
            most[t] = allowed if cap is None else min(cap, allowed)
    return most


def _pace_rules(problem: Problem) -> list[str]:
    """Minimums that the speed guard or the reply capacity (MODEL.md v2) cannot fit, with the numbers."""
    s = problem.scenario
    reasons: list[str] = []
    if problem.is_team:
        return reasons  # the guard and the reply capacity are each seat's: these one-person counts do not apply
    most = most_sends_under_guard(problem, s.speed_guard) if s.speed_guard is not None else None
    for k in problem.cycles_ahead():
        label = _cycle_label(problem, k)
        days = [t for t in problem.days_of(k) if problem.can_send(t)]
        total_min = sum(problem.min_of(b, k) for b in problem.buckets)
        if most is not None and days and total_min > sum(most[t] for t in days):
            guard = s.speed_guard
            assert guard is not None
            reasons.append(
                f"{label}: minimums need {total_min} sends but the speed guard (base {guard.base:g}, growth "
                f"{guard.growth:g}) allows at most {sum(most[t] for t in days)} on its {len(days)} send days "
                f"({most[days[0]]} on the first, {most[days[-1]]} on the last)"
            )
        replies = sum(b.rate * problem.min_of(b, k) for b in problem.buckets)
        if s.replies_per_day is not None and days and replies > s.replies_per_day * len(days) + 1e-9:
            reasons.append(
                f"{label}: the minimums expect {replies:g} replies (response rate x minimum, summed over the buckets) "
                f"but replies_per_day = {s.replies_per_day:g} on {len(days)} send days allows {s.replies_per_day * len(days):g}"
            )
    return reasons


def _follow_up_rules(problem: Problem) -> list[str]:
    """Follow-up minimums that the parent's pools (and the log's eligible recipients) cannot feed."""
    reasons: list[str] = []
    for f in problem.buckets:
        if f.parent is None or f.min == 0:
            continue
        parent = problem.buckets[f.parent]
        if parent.pool is None:
            continue
        need = 0
        eligible = problem.extra_eligible(f, problem.n_days - 1)
        for k in problem.cycles_ahead():
            need += problem.min_of(f, k)
            pool = problem.pool_of(parent, k)
            eligible += f.alpha * (pool if pool is not None else 0)
            if need > eligible + 1e-9:
                reasons.append(
                    f"{_cycle_label(problem, k)}: {f.name} needs {need} follow-ups by then, but at most "
                    f"{eligible:g} of {parent.name}'s recipients are eligible ({f.alpha:.0%} of its pool of {parent.pool})"
                )
                break
    return reasons


def _pace_words(problem: Problem) -> str:
    """The v2 pacing limits a scenario sets, as words to add to a list of limits ('' when it sets none)."""
    s = problem.scenario
    words = ""
    if s.speed_guard is not None:
        words += f", the speed guard (base {s.speed_guard.base:g}, growth {s.speed_guard.growth:g})"
    if s.replies_per_day is not None:
        words += f", replies_per_day = {s.replies_per_day:g}"
    return words


def elastic_reasons(problem: Problem, deadline: Deadline, solver: Solver = Solver.HIGHS) -> list[str]:
    """Which minimums and reserves must give way, and by how much, for a plan to exist.

    Solved through :func:`planner.solver.run` like a plan, on the caller's
    deadline and with the caller's solver; when no time is left it says nothing.
    """
    if deadline.left() <= 0:
        return []
    model = build_model(problem, elastic=True)
    outcome = run(model.prob, deadline, Target(gap=0.0), solver=solver)
    if outcome.values is None:
        return []
    cal = problem.calendar
    reasons: list[str] = []
    reserve_days: list[tuple[int, float]] = []
    for slack, var in model.slacks.items():
        gave = outcome.value(var)
        if gave <= 1e-6:
            continue
        match slack:
            case MinimumSlack(bucket=bi, cycle=k):
                b, least = problem.buckets[bi], problem.min_of(problem.buckets[bi], k)
                reasons.append(
                    f"{_cycle_label(problem, k)}: {b.name} needs at least {least} sends, but with the other "
                    f"minimums, credits, caps and follow-up rules{_pace_words(problem)} only {least - gave:g} fit"
                )
            case ReserveSlack(day=t):
                reserve_days.append((t, gave))
    if reserve_days:
        t, gave = max(reserve_days, key=lambda item: item[1])
        k = cal.cycle_of(t)
        reasons.append(
            f"{_cycle_label(problem, k)}: the reserve of {problem.reserve_floor(k)} credits cannot be kept "
            f"(on {cal.date_of(t)} the balance can reach at most {problem.reserve_floor(k) - gave:g}, "
            f"{len(reserve_days)} day(s) short)"
        )
    return reasons


def diagnose(problem: Problem, *, deadline: Deadline | None = None, solver: Solver = Solver.HIGHS) -> list[str]:
    """Reasons a scenario has no plan; never empty.

    Parameters
    ----------
    problem
        The scenario with no plan.
    deadline
        The answer's deadline (the plan's, when called from :func:`planner.solve.make_plan`); the
        elastic model runs only in the time left. Alone, a default of 5 seconds.
    solver
        The caller's solver choice.
    """
    deadline = deadline if deadline is not None else Deadline(ALONE_SECONDS)
    reasons = counting_rules(problem)
    for reason in elastic_reasons(problem, deadline, solver):
        if reason not in reasons:
            reasons.append(reason)
    if not reasons:
        if deadline.left() <= 0:
            reasons.append(
                "The minimums, pools, follow-up rules, caps and reserve cannot all hold together; the time limit ran "
                "out before the planner could say which: allow more time, or lower a minimum or the reserve."
            )
        else:
            reasons.append(
                "The minimums, pools, follow-up rules, caps and reserve cannot all hold together; lower a minimum or the reserve."
            )
    return reasons
