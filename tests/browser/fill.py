"""Fill a rendered form in the browser the way a person does, field by field."""
from __future__ import annotations

from danvan_kit.forms.schema import FormTemplate


def fill_field(page, spec, value, scope: str = "") -> None:
    box = page.locator(f"{scope} .dv-field-{spec.name}".strip()).first
    t = spec.type
    if t in ("text", "integer", "decimal", "date"):
        box.locator("input").first.fill(str(value))
    elif t == "long_text":
        box.locator("textarea").first.fill(str(value))
    elif t == "yes_no":
        box.locator("label", has_text="Có" if value else "Không").locator("input").check()
    elif t == "select_one":
        label = next(c.label for c in spec.choices if c.value == value)
        box.locator("select").select_option(label=label)
    elif t == "select_many":
        for v in value:
            label = next(c.label for c in spec.choices if c.value == v)
            box.locator(".widget-checkbox", has_text=label).locator("input").check()
    else:
        raise ValueError(t)


def fill_form(page, template: FormTemplate, values: dict, rows: dict | None = None) -> None:
    for name, value in values.items():
        if name.endswith("__evidence"):
            page.locator(f".dv-field-{name.removesuffix('__evidence')} textarea").fill(value)
            continue
        fill_field(page, template.field(name), value)
    for name, row_list in (rows or {}).items():
        group = template.field(name)
        for index, row in enumerate(row_list):
            page.locator(f".dv-field-{name} button", has_text="Thêm dòng").click()
            for sub_name, value in row.items():
                sub = next(s for s in group.fields if s.name == sub_name)
                cell = page.locator(f".dv-field-{name} .dv-field-{sub_name}").nth(index)
                cell.wait_for()
                if sub.type == "select_one":
                    label = next(c.label for c in sub.choices if c.value == value)
                    cell.locator("select").select_option(label=label)
                else:
                    cell.locator("input").first.fill(str(value))
