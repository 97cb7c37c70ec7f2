"""The request list's forms: its sort, and a saved view of its filters."""

from django import forms

from intake.selectors import REQUEST_SORTS


class SortForm(forms.Form):
    """The request list's order, beside its filters (`?sort=votes`)."""

    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in REQUEST_SORTS.items()],
        required=False,
        label="Sort by",
    )

    def chosen(self) -> str:
        """The chosen order's key, newest first when none or an unknown one is given."""
        if not self.is_valid():
            return "newest"
        return str(self.cleaned_data["sort"] or "newest")


class SavedViewForm(forms.Form):
    """Save the request list's current filters and order under a name."""

    name = forms.CharField(
        max_length=80,
        label="Name this view",
        error_messages={"required": "Give the view a name."},
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)
