"""The demo's numbers: mean and spread over the seeds, and one markdown table per family.

For a metric m of an arm over seeds s = 1..n: mean and sample standard deviation (0 for n = 1);
the change of an arm against the family's reference arm is taken per seed first (the arms of one
seed share their data order and, in Detic and BARON, their starting detector), then averaged.
AP50 values are stored as fractions and shown in %; the metric's -1 (a class set without any
detection) counts as not available.
"""
import math
import statistics
from typing import Dict, List, Sequence, Tuple

KEYS = ('novel_ap50', 'base_ap50', 'all_ap50')


def mean_sd(values: Sequence[float]) -> Tuple[float, float]:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return float('nan'), float('nan')
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def percent(value: float) -> float:
    return 100 * value if value >= 0 else float('nan')


def summarise(runs: List[dict], arms: Sequence[str], reference: str) -> Dict[str, dict]:
    """``runs``: dicts with ``arm``, ``seed``, ``metrics`` (AP50 fractions) ->
    ``{arm: {key: (mean %, sd %)}, 'change': {arm: {key: (mean, sd)}}}``."""
    by_arm = {a: {r['seed']: r for r in runs if r['arm'] == a} for a in arms}
    out = {a: {k: mean_sd([percent(r['metrics'][k]) for r in by_arm[a].values()]) for k in KEYS}
           for a in arms}
    out['change'] = {}
    for a in arms:
        if a == reference:
            continue
        seeds = sorted(set(by_arm[a]) & set(by_arm[reference]))
        out['change'][a] = {k: mean_sd([percent(by_arm[a][s]['metrics'][k]) -
                                        percent(by_arm[reference][s]['metrics'][k])
                                        for s in seeds]) for k in KEYS}
    return out


def _cell(stat, signed: bool = False, digits: int = 1) -> str:
    """(mean, sd) -> 'm ± s'; a single number (no spread: measured once) -> 'm'."""
    m, s = stat if isinstance(stat, tuple) else (stat, None)
    if math.isnan(m):
        return 'n/a'
    text = f'{m:+.{digits}f}' if signed else f'{m:.{digits}f}'
    return text if s is None else f'{text} ± {s:.{digits}f}'


def format_table(summary: dict, arms: Sequence[Tuple[str, str]], novel: Sequence[str],
                 num_seeds: int, extra_rows: Sequence[Tuple[str, dict, int]] = ()) -> str:
    """One family's table: a column per arm ((name, label) pairs, the reference first), rows
    novel / base / all AP50, the paired change of novel AP50 against the reference, then
    ``extra_rows`` ((title, {arm: (mean, sd) or a single number, ``digits``}))."""
    names = [a for a, _ in arms]
    head = f'mean ± sd over {num_seeds} seed{"s" if num_seeds > 1 else ""}'
    label = {'novel_ap50': f'novel AP50 ({", ".join(novel)}: no box in training)',
             'base_ap50': 'base AP50', 'all_ap50': 'all AP50'}
    lines = [f'| % ({head}) | ' + ' | '.join(lab for _, lab in arms) + ' |',
             '|---' * (len(arms) + 1) + '|']
    for key in KEYS:
        lines.append(f'| {label[key]} | ' + ' | '.join(_cell(summary[a][key]) for a in names)
                     + ' |')
    lines.append(f'| novel AP50 change vs {arms[0][1]} (paired by seed) | – | ' + ' | '.join(
        _cell(summary['change'][a]['novel_ap50'], signed=True) for a in names[1:]) + ' |')
    for title, values, digits in extra_rows:
        lines.append(f'| {title} | ' + ' | '.join(
            _cell(values[a], digits=digits) if a in values else '–' for a in names) + ' |')
    return '\n'.join(lines)
