"""Optimistic locking for admin change forms: nothing is silently overwritten.

A model that opts in has an integer field (``version`` by default) that every save moves on.
The change form carries the version the officer opened; when the form is saved, the stored
row is locked (``SELECT … FOR UPDATE``, inside the admin's transaction) and its version
compared: if someone else saved in between, the form is refused with a link to the history,
and the officer's input stays on the page.

Usage: ``class MeetingAdmin(OptimisticLockingMixin, admin.ModelAdmin): ...`` — the mixin
goes first, and the model is a ``recommendations.versioning.VersionedModel``, whose every save
moves the version on. An inline whose rows others may edit on their own pages uses
``OptimisticLockingInlineMixin``: each of its forms carries its row's version and is refused
on its own when that row changed since the page was opened.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html


class OptimisticLockingMixin:
    version_field = "version"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new object starts at the model's default version
            return fieldsets
        listed = {
            name
            for _, options in fieldsets
            for line in options.get("fields", ())
            for name in (line if isinstance(line, list | tuple) else [line])
        }
        if self.version_field in listed:
            return fieldsets
        # A row with only a hidden input is drawn hidden by the admin's templates.
        return [*fieldsets, (None, {"fields": [self.version_field]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if self.version_field not in form.base_fields:
            return form
        attrs = {self.version_field: _version_field(), "clean": _locked_clean(self, form)}
        return type(f"Locked{form.__name__}", (form,), attrs)

    def lock_first(self, form) -> None:
        """Lock the rows that other writers lock before this one (e.g. an agenda item's
        meeting), so that this page and they always take their locks in the same order."""

    def conflict_message(self, obj) -> str:
        opts = self.model._meta
        try:
            history = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[obj.pk],
            )
        except NoReverseMatch:  # pragma: no cover - every ModelAdmin has a history page
            history = ""
        return format_html(
            "Someone else changed this {} since you opened it, so your changes have not "
            'been saved. <a href="{}">See what they changed in its history</a>, then open '
            "it again and make your changes on the current version.",
            opts.verbose_name,
            history,
        )


class OptimisticLockingInlineMixin:
    version_field = "version"

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if self.version_field in fields else [*fields, self.version_field]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = formset.form
        attrs = {self.version_field: _version_field(), "clean": _locked_clean(self, form)}
        locked = type(f"Locked{form.__name__}", (form,), attrs)
        return type(f"Locked{formset.__name__}", (formset,), {"form": locked})

    def conflict_message(self, obj) -> str:
        return (
            f"Someone else changed {obj} since you opened this page, so none of your changes "
            "have been saved. Open the page again and make your changes on the current version."
        )


def _version_field() -> forms.Field:
    # Not required: a new row takes the model's default. An existing row's form that comes
    # back without it is refused as stale, since it cannot say what the officer saw.
    return forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _locked_clean(model_admin: OptimisticLockingMixin | OptimisticLockingInlineMixin, form_class):
    field = model_admin.version_field

    def clean(self):
        cleaned = form_class.clean(self)
        if self.instance.pk is None:
            # A new row (an add page, an inline's empty form) starts at the model's default,
            # whatever its empty hidden input sent.
            self.cleaned_data.pop(field, None)
            return cleaned
        if lock_first := getattr(model_admin, "lock_first", None):
            lock_first(self)
        model = type(self.instance)
        stored = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list(field, flat=True)
            .first()
        )
        opened = self.cleaned_data.get(field)
        if stored is not None and opened != stored:
            raise ValidationError(model_admin.conflict_message(self.instance), code="conflict")
        if stored is not None:
            # The save that follows writes the next version; a later save from the page the
            # officer had open now carries an old one and is refused.
            self.cleaned_data[field] = stored + 1
        return cleaned

    return clean
