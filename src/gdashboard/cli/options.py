"""Click options made from the definitions: a dataclass's fields (help, choices, limits in
their metadata), the method registry's names, comma-separated lists and JSON objects."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path

import click

from gdashboard.methods import METHODS, Method, get_method, options_union

PathArg = click.Path(path_type=Path)


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def field_default(cls: type, name: str):
    """A dataclass field's default: the one place a number such as the class optimisation's steps is written."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


class JsonObject(click.ParamType):
    """A JSON object given on the command line (``'{"n_filters": 32}'``)."""

    name = "JSON"

    def convert(self, value, param, ctx):
        if isinstance(value, Mapping):
            return dict(value)
        try:
            parsed = json.loads(value)
        except ValueError as error:
            self.fail(f"not JSON: {error}", param, ctx)
        if not isinstance(parsed, dict):
            self.fail("must be a JSON object ({...})", param, ctx)
        return parsed


def aliases_help() -> str:
    """The methods' other spellings, as help says them (``ig: integrated_gradients``)."""
    return ", ".join(f"{alias}: {method.name}" for method in METHODS.values() for alias in method.aliases)


class MethodChoice(click.Choice):
    """The registry's method names (or some of them); an alias (``ig``) is taken and mapped to its name."""

    def __init__(self, names=None):
        super().__init__(list(names or METHODS))

    def convert(self, value, param, ctx):
        try:
            name = get_method(value).name
        except ValueError:
            name = value
        return super().convert(name, param, ctx)


def _base(hint):
    """``int`` of ``int | None``; the hint itself otherwise."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(hint) if a is not type(None))
    return hint


def _click_type(base, metadata: Mapping):
    """The click type of a field's type and its metadata's ``choices``, ``min`` and ``max``."""
    if "choices" in metadata:
        return click.Choice(list(metadata["choices"]))
    if base in (Mapping, dict) or typing.get_origin(base) in (Mapping, dict):
        return JsonObject()
    if base in (int, float) and ("min" in metadata or "max" in metadata):
        limits = {"min": metadata.get("min"), "max": metadata.get("max")}
        return click.IntRange(**limits) if base is int else click.FloatRange(**limits)
    return base


def _one_option(field: dataclasses.Field, hint, settings: Mapping, default_none: bool):
    settings = dict(settings)
    flag = settings.pop("flag", flag_name(field.name))
    help_text = settings.pop("help", field.metadata.get("help"))
    default = None if default_none else field.default
    base = _base(hint)
    if base is bool and not default_none:
        if default is None:  # asked on, asked off, or the preset's own
            return click.option(f"{flag}/--no-{flag[2:]}", field.name, default=None, help=help_text, **settings)
        return click.option(flag, field.name, is_flag=True, default=default, help=help_text, **settings)
    kwargs = {
        "type": _click_type(base, field.metadata),
        "default": default,
        "show_default": default is not None,
        "help": help_text,
    }
    return click.option(flag, field.name, **{**kwargs, **settings})


def dataclass_options(cls: type, only=None, *, override: Mapping | None = None):
    """A decorator adding one option per field of the dataclass ``cls`` (``only`` those named),
    its flag the field's name (``--batch-size``), its default the field's, its help, choices and
    limits from the field's metadata. ``override``: per field, click settings to use instead
    (``flag`` renames it)."""
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if only is None or f.name in only]
    override = override or {}

    def decorate(command):
        for field in reversed(fields):  # click lists options in the reverse order of decoration
            command = _one_option(field, hints[field.name], override.get(field.name, {}), False)(command)
        return command

    return decorate


def split_list(text: str, what: str, cast=str) -> list:
    """A comma-separated list; a bad or empty one is a usage error naming ``what``."""
    try:
        values = [cast(v.strip()) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{what} must be a comma-separated list, got {text!r}") from None
    if not values:
        raise click.BadParameter(f"give at least one {what}")
    return values


def _method_fields() -> dict[str, list[tuple[str, dataclasses.Field, object]]]:
    """Every method option by name: (method, field, type hint) of each method that has it."""
    found: dict[str, list] = {}
    for method in METHODS.values():
        hints = typing.get_type_hints(method.options)
        for field in dataclasses.fields(method.options):
            found.setdefault(field.name, []).append((method.name, field, hints[field.name]))
    return found


def _shared_help(uses: list) -> str:
    """The help of an option: each wording followed by the methods whose it is, then the default(s)."""
    by_help: dict[str, list[str]] = {}
    for method, field, _ in uses:
        by_help.setdefault(field.metadata.get("help", ""), []).append(method)
    described = " ".join(f"{text} ({', '.join(methods)})" for text, methods in by_help.items())
    defaults = {method: field.default for method, field, _ in uses if field.default is not None}
    if len({repr(value) for value in defaults.values()}) == 1:
        described += f" Default: {next(iter(defaults.values()))}."
    elif defaults:
        described += " Default: " + ", ".join(f"{value} ({method})" for method, value in defaults.items()) + "."
    return described


def _shared_type(uses: list):
    """The click type taking what any of the methods takes (the union of their choices)."""
    choices = [c for _, field, _ in uses for c in field.metadata.get("choices", ())]
    metadata = {**uses[0][1].metadata, "choices": list(dict.fromkeys(choices))} if choices else uses[0][1].metadata
    return _click_type(_base(uses[0][2]), metadata)


def method_options(reserved=()):
    """A decorator adding every explanation method's options (:func:`gdashboard.methods.options_union`),
    one flag each, default None (the method's own default is used unless given); ``reserved``
    are the command's own parameter names, which no method option may take."""
    uses = _method_fields()
    names = list(options_union())
    clash = sorted(set(names) & set(reserved))
    if clash:
        raise RuntimeError(f"method options {clash} clash with the command's own")

    def decorate(command):
        for name in reversed(names):
            settings = {"help": _shared_help(uses[name]), "type": _shared_type(uses[name])}
            field, hint = uses[name][0][1], uses[name][0][2]
            command = _one_option(field, hint, settings, default_none=True)(command)
        return command

    return decorate


def method_options_epilog() -> str:
    """Each method's options, for the end of ``gdash explain --help``."""
    width = max(map(len, METHODS)) + 2
    lines = ["\b", "Options of each method (the others are refused):"]
    for method in METHODS.values():
        flags = ", ".join(flag_name(f.name) for f in dataclasses.fields(method.options)) or "none"
        alias = f" (also {', '.join(method.aliases)})" if method.aliases else ""
        lines.append(f"  {method.name:{width}s}{flags}{alias}")
    return "\n".join(lines)


def check_method_options(method: Method, given: Mapping) -> None:
    """Refuse, in one line, an option the method does not have or a choice it does not take."""
    own = {field.name: field for field in dataclasses.fields(method.options)}
    for name, value in given.items():
        if name not in own:
            flags = ", ".join(flag_name(n) for n in own) or "none"
            raise click.UsageError(f"{flag_name(name)} does not apply to {method.name} (its options: {flags})")
        choices = own[name].metadata.get("choices")
        if choices is not None and value not in choices:
            raise click.UsageError(
                f"{flag_name(name)} {value} does not apply to {method.name}; choose one of {', '.join(choices)}"
            )
