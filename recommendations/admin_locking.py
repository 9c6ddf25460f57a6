"""Optimistic locking for admin change forms: nothing is silently overwritten.

A model that opts in has an integer field (``version`` by default) that every save moves on.
The change form carries the version the officer opened, and a digest of each value it
showed; when the form is saved, the stored row is locked (``SELECT … FOR UPDATE``, inside the
admin's transaction) and its version compared. If someone else saved in between, each field is
compared three ways — as opened, as stored now, as posted:

- changed by the others only: their value is kept (the officer's page still showed the old one);
- changed by the officer only: the officer's value is saved;
- changed by both, to different values: the save is refused, naming each such field with both
  values; the officer's input stays on the page, and saving again then replaces the others'.

A form posted without the digests (an old page) is refused on any change of version.

Usage: ``class MeetingAdmin(OptimisticLockingMixin, admin.ModelAdmin): ...`` — the mixin
goes first, and the model is a ``recommendations.versioning.VersionedModel``, whose every save
moves the version on. An inline whose rows others may edit on their own pages uses
``OptimisticLockingInlineMixin``: each of its forms carries its row's version and is refused
on its own when that row changed since the page was opened.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

#: The hidden input that carries a digest of each value the form showed when it was opened.
OPENED_FIELD = "opened_values"
_SALT = "recommendations.admin_locking.opened"


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
        hidden = [name for name in (self.version_field, OPENED_FIELD) if name not in listed]
        # A row with only hidden inputs is drawn hidden by the admin's templates.
        return [*fieldsets, (None, {"fields": [hidden]})] if hidden else fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The digests are a field of the form, not of the model: declared on the base form so
        # that the admin's form factory accepts the name in the fieldsets.
        base = kwargs.pop("form", self.form)
        kwargs["form"] = type(base.__name__, (base,), {OPENED_FIELD: _opened_field()})
        form = super().get_form(request, obj, change=change, **kwargs)
        if self.version_field not in form.base_fields:
            return form
        attrs = {
            self.version_field: _version_field(),
            "lock_version_field": self.version_field,
            "__init__": _opened_init(form),
            "clean": _locked_clean(self, form),
        }
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


def _opened_field() -> forms.Field:
    return forms.CharField(required=False, widget=forms.HiddenInput)


def _canonical(value: Any) -> str:
    """One text for a value however it came: as the form showed it, as posted and cleaned,
    or as stored (a related object or its key, a list or a queryset of them)."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return "\x1f".join(sorted(_canonical(item) for item in value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return str(value)


def _digest(value: Any) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()[:16]


def _compared_fields(form) -> list[str]:
    """The form's fields that are the model's own (not the lock's version, nor a field of
    the form only)."""
    model = type(form.instance)
    names = []
    for name in form.fields:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        names.append(name)
    return [name for name in names if name != form.lock_version_field]


def _stored_value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(instance, name).all())
    return getattr(instance, name)


def _opened_init(form_class):
    def __init__(self, *args, **kwargs):
        form_class.__init__(self, *args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            digests = {name: _digest(self[name].initial) for name in _compared_fields(self)}
            self.initial[OPENED_FIELD] = signing.dumps(digests, salt=_SALT)

    return __init__


def _opened_digests(form) -> dict[str, str] | None:
    try:
        return signing.loads(form.cleaned_data.get(OPENED_FIELD) or "", salt=_SALT)
    except signing.BadSignature:
        return None


def _shown(value: Any) -> str:
    if value in (None, "") or value == []:
        return "nothing"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(str(item) for item in value) or "nothing"
    text = str(value)
    return text if len(text) <= 80 else text[:77].rstrip() + "…"


def _reconcile(form, stored: models.Model, opened: dict[str, str]) -> list[tuple[str, Any, Any]]:
    """Keep the others' changes to fields the officer left alone; return the fields both
    changed, to different values, as (label, the officer's value, the stored value)."""
    conflicts, kept = [], set()
    for name in _compared_fields(form):
        if name not in opened or name not in form.cleaned_data:
            continue
        theirs = _stored_value(stored, name)
        if _digest(theirs) == opened[name]:
            continue  # nobody else changed it
        mine = form.cleaned_data[name]
        if _digest(mine) == opened[name]:
            form.cleaned_data[name] = theirs
            kept.add(name)
        elif _digest(mine) != _digest(theirs):
            conflicts.append((form.fields[name].label or name, mine, theirs))
    if kept:
        # The form compared the officer's (old) values with the stored ones and took them
        # for changes of the officer's; they are not.
        form.__dict__["changed_data"] = [n for n in form.changed_data if n not in kept]
    return conflicts


def _refresh_opened(form, stored: models.Model, version: int) -> None:
    """After a refusal, the page the officer sees again is as if opened now, with their
    input kept: saving it again is a deliberate choice to replace the others' values."""
    digests = {name: _digest(_stored_value(stored, name)) for name in _compared_fields(form)}
    data = form.data.copy()
    data[form.add_prefix(OPENED_FIELD)] = signing.dumps(digests, salt=_SALT)
    data[form.add_prefix(form.lock_version_field)] = str(version)
    form.data = data


def _conflict_error(model_admin, form, conflicts: Iterable[tuple[str, Any, Any]]):
    items = format_html_join(
        "",
        "<li>{}: you entered “{}”; it is now “{}”.</li>",
        ((label, _shown(mine), _shown(theirs)) for label, mine, theirs in conflicts),
    )
    return ValidationError(
        format_html(
            "Someone else changed this {} since you opened it, and changed some of the same "
            "things, so nothing has been saved: <ul>{}</ul>Your input is kept below: save "
            "again to replace their values with yours, or change them first.",
            type(form.instance)._meta.verbose_name,
            items,
        ),
        code="conflict",
    )


def _version_field() -> forms.Field:
    # Not required: a new row takes the model's default. An existing row's form that comes
    # back without it is refused as stale, since it cannot say what the officer saw.
    return forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _locked_clean(model_admin: OptimisticLockingMixin | OptimisticLockingInlineMixin, form_class):
    field = model_admin.version_field

    def clean(self):
        if self.instance.pk is None:
            # A new row (an add page, an inline's empty form) starts at the model's default,
            # whatever its empty hidden input sent.
            cleaned = form_class.clean(self)
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
        if stored is not None and self.cleaned_data.get(field) != stored:
            # Before the form's own checks, which must see the others' kept values.
            _merge_or_refuse(model_admin, self, stored)
        cleaned = form_class.clean(self)
        if stored is not None:
            # The save that follows writes the next version; a later save from the page the
            # officer had open now carries an old one and is compared field by field.
            self.cleaned_data[field] = stored + 1
        return cleaned

    return clean


def _merge_or_refuse(model_admin, form, stored_version: int) -> None:
    opened = _opened_digests(form) if OPENED_FIELD in form.fields else None
    if opened is None:
        # The page cannot say what the officer saw: refuse any change made since.
        raise ValidationError(model_admin.conflict_message(form.instance), code="conflict")
    stored = type(form.instance)._default_manager.get(pk=form.instance.pk)
    conflicts = _reconcile(form, stored, opened)
    if conflicts:
        _refresh_opened(form, stored, stored_version)
        raise _conflict_error(model_admin, form, conflicts)
