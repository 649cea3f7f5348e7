"""The agreement figures as lines of text, for the command line."""
from __future__ import annotations

from collections.abc import Iterator

from annotate.team.agreement import ALL_LABELS, AgreementReport

TOP_DOCUMENTS = 10


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def agreement_lines(report: AgreementReport) -> Iterator[str]:
    if len(report.annotators) < 2 or not report.entities:
        yield ("no document has entities from two annotators: merge the analysts' stores "
               "(main.py merge) first")
        return
    yield (f"annotators: {', '.join(report.annotators)}; documents annotated by two or more: "
           f"{report.documents}")
    if len(report.annotators) > 2:
        yield (f"team: Krippendorff's alpha {number(report.team_alpha)}, "
               f"Fleiss' kappa {number(report.team_kappa)}, "
               f"Light's kappa {number(report.team_lights_kappa)}")
    else:
        yield (f"team: Krippendorff's alpha {number(report.team_alpha)}, "
               f"Cohen's kappa {number(report.team_kappa)}")
    yield ""
    yield f"{'entities':<28}{'label':<14}{'n':>9}{'exact F1':>10}{'overlap F1':>12}{'kappa':>8}{'alpha':>8}"
    for p in report.entities:
        label = "all labels" if p.label == ALL_LABELS else p.label
        yield (f"{p.a + ' / ' + p.b:<28}{label:<14}{f'{p.a_count}/{p.b_count}':>9}"
               f"{number(p.exact_f1):>10}{number(p.overlap_f1):>12}{number(p.kappa):>8}"
               f"{number(p.alpha):>8}")
    if report.relations:
        yield ""
        yield f"{'relations':<28}{'label':<18}{'n':>9}{'F1':>8}"
        for r in report.relations:
            label = "all labels" if r.label == ALL_LABELS else r.label
            yield f"{r.a + ' / ' + r.b:<28}{label:<18}{f'{r.a_count}/{r.b_count}':>9}{number(r.f1):>8}"
    yield ""
    yield "documents by disagreement (entities every annotator made / all they made):"
    for d in report.ranked[:TOP_DOCUMENTS]:
        yield f"  #{d.doc_id} {d.title[:60]}: {d.agreed}/{d.annotations} agreed ({', '.join(d.annotators)})"
