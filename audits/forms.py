from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import CertificationLevel

from .findings import NewFinding, finding_problem
from .models import FindingGrade
from .services import score_problems


class ConflictForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this business?"),
        choices=[("no", _("No, I have no conflict of interest")), ("yes", _("Yes, I have a conflict"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("If yes, what is it?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("conflict") == "yes" and not data.get("reason", "").strip():
            self.add_error("reason", _("Say what the conflict of interest is."))
        return data


GRADE_CHOICES = [("", _("No new finding")), *FindingGrade.choices]


class ScorecardForm(forms.Form):
    """Per criterion a score, a comment and a new finding (grade, statement,
    requirement not met, the evidence it rests on), and on a critical
    criterion why no major was raised; built from rows already loaded (no
    queries)."""

    def __init__(self, *args, criteria, scores, submitting=False, evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.submitting = submitting
        self.evidence = {e.pk: e for e in evidence or []}
        for criterion in criteria:
            self._finding_fields(criterion, scores.get(criterion.pk))
            existing = scores.get(criterion.pk)
            self.fields[f"score-{criterion.pk}"] = forms.IntegerField(
                label=criterion.code,
                min_value=0,
                max_value=criterion.max_score,
                required=False,
                initial=existing.score if existing else None,
            )
            self.fields[f"comment-{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing.comment if existing else "",
            )

    def _finding_fields(self, criterion, existing) -> None:
        pk = criterion.pk
        self.fields[f"grade-{pk}"] = forms.ChoiceField(
            label=_("Finding"), choices=GRADE_CHOICES, required=False
        )
        self.fields[f"statement-{pk}"] = forms.CharField(
            label=_("Statement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields[f"requirement-{pk}"] = forms.CharField(
            label=_("Requirement not met"), required=False, widget=forms.Textarea(attrs={"rows": 1})
        )
        self.fields[f"evidence-{pk}"] = forms.TypedMultipleChoiceField(
            label=_("Evidence it rests on"),
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(e.pk, e.original_name) for e in self.evidence.values() if e.criterion_id == pk],
        )
        if criterion.critical:
            self.fields[f"nomajor-{pk}"] = forms.CharField(
                label=_("Critical criterion: why no major finding (if scored below the threshold)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
                initial=existing.no_major_reason if existing else "",
            )

    def rows(self):
        return [
            (
                c,
                self[f"score-{c.pk}"],
                self[f"comment-{c.pk}"],
                {
                    "grade": self[f"grade-{c.pk}"],
                    "statement": self[f"statement-{c.pk}"],
                    "requirement": self[f"requirement-{c.pk}"],
                    "evidence": self[f"evidence-{c.pk}"],
                    "nomajor": self[f"nomajor-{c.pk}"] if c.critical else None,
                },
            )
            for c in self.criteria
        ]

    def new_findings(self) -> list[NewFinding]:
        return [
            NewFinding(
                criterion_id=c.pk,
                grade=self.cleaned_data[f"grade-{c.pk}"],
                statement=self.cleaned_data[f"statement-{c.pk}"],
                requirement=self.cleaned_data[f"requirement-{c.pk}"],
                evidence=tuple(self.evidence[pk] for pk in self.cleaned_data[f"evidence-{c.pk}"]),
            )
            for c in self.criteria
            if self.cleaned_data.get(f"grade-{c.pk}")
        ]

    def no_major_reasons(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"nomajor-{c.pk}"] for c in self.criteria if c.critical}

    def clean(self):
        data = super().clean()
        for criterion in self.criteria:
            score = data.get(f"score-{criterion.pk}")
            if f"score-{criterion.pk}" in self.errors:
                continue
            problem = score_problems(
                criterion, score, data.get(f"comment-{criterion.pk}", ""), complete=self.submitting
            )
            if problem:
                self.add_error(
                    f"comment-{criterion.pk}" if score is not None else f"score-{criterion.pk}", problem
                )
            grade = data.get(f"grade-{criterion.pk}")
            if grade:
                problem = finding_problem(
                    grade,
                    data.get(f"statement-{criterion.pk}", ""),
                    data.get(f"requirement-{criterion.pk}", ""),
                )
                if problem:
                    self.add_error(f"statement-{criterion.pk}", problem)
        return data

    def entries(self) -> dict:
        return {
            c.pk: (self.cleaned_data[f"score-{c.pk}"], self.cleaned_data[f"comment-{c.pk}"])
            for c in self.criteria
        }


class ChangeRequestForm(forms.Form):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"missing-{criterion.pk}"] = forms.CharField(
                label=f"{criterion.code} {criterion.text}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        if not any(data.get(f"missing-{c.pk}", "").strip() for c in self.criteria):
            raise forms.ValidationError(_("Name at least one criterion and say what is missing."))
        return data

    def items(self):
        return [
            (c, self.cleaned_data[f"missing-{c.pk}"])
            for c in self.criteria
            if self.cleaned_data[f"missing-{c.pk}"].strip()
        ]


class ConsensusForm(forms.Form):
    score = forms.DecimalField(label=_("Agreed score"), min_value=0, max_digits=5, decimal_places=2)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    """Used by the admin's approve and reject actions: approving needs a
    level, rejecting a reason."""

    APPROVE, REJECT = "approve", "reject"

    level = forms.ModelChoiceField(
        label=_("Level"), queryset=CertificationLevel.objects.none(), required=False
    )
    with_conditions = forms.BooleanField(
        label=_("Grant with conditions (open minor nonconformities with a plan due)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason or rationale"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, action: str, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if levels is not None:
            self.fields["level"].queryset = levels
        if action == self.REJECT:
            del self.fields["level"]
            del self.fields["with_conditions"]

    def clean(self):
        data = super().clean()
        if self.action == self.APPROVE and data.get("level") is None and "level" not in self.errors:
            self.add_error("level", _("Choose the level to award."))
        if self.action == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", _("Write the reason for rejecting; the business will read it."))
        return data


class AssignForm(forms.Form):
    """Used by the admin's assign action."""

    auditor = forms.ModelChoiceField(label=_("Auditor"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors


class CarriedEvidenceForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm it is still valid")), ("reject", _("Reject: ask for fresh evidence"))]
    )
    reason = forms.CharField(
        label=_("Why it is not good enough"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AnswerReviewForm(forms.Form):
    """The auditor's answer to a business's corrective action."""

    decision = forms.ChoiceField(
        choices=[
            ("accept", _("Accept the corrective action")),
            ("return", _("Return it to the business")),
            ("verify", _("Effectiveness verified: close the finding")),
        ]
    )
    reason = forms.CharField(
        label=_("Reason (required to return)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=_("Merge into"), coerce=int)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [(t.pk, f"#{t.pk} {t}") for t in targets]


class FindingAnswerForm(forms.Form):
    """The business's corrective action for a finding."""

    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    correction = forms.CharField(
        label=_("Correction (what was fixed now)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    corrective_action = forms.CharField(
        label=_("Corrective action (what stops it happening again)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("New evidence (optional)"), required=False)
