"""Forms of the metric pages. They parse input into typed values named like the keyword
arguments of the catalogue services (metrics/services/catalogue/); the services check the
rules (attribution shares, figures that must agree, who may do what) and raise ValidationError
naming the field, which the views put back on the form beside it. The forms are in `metric` and
`page`; pages import them from here."""

from metrics.forms.metric import MetricEditForm, MetricForm
from metrics.forms.page import AnnotationForm, LinkForm, MeasurementForm, TargetForm, ValueBasisForm

__all__ = [
    "AnnotationForm",
    "LinkForm",
    "MeasurementForm",
    "MetricEditForm",
    "MetricForm",
    "TargetForm",
    "ValueBasisForm",
]
