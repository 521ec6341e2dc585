"""Importing a tree (areas, orgs): codes, parent codes, type placement, cycles, moves, scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .importing import Importer, ParsedRow, RowErrors, RowMessage, messages_from_validation
from .scope import is_unrestricted
from .services import UNSET


class TreeImporter(Importer):
    """Subclasses set the column names, `type_labels`, `rules` (a TreeRules) and the service functions."""

    code_header = name_header = type_header = parent_header = ""
    type_labels: dict = {}
    rules: Any = None  # a core.services.TreeRules
    # model field -> template column, to name the column in errors raised by services
    columns: dict[str, str] = {}
    code_max_length = 32
    name_max_length = 100

    # hooks for the non-tree columns
    def parse_extra(self, pr: ParsedRow) -> None:
        pass

    def extra_fields(self) -> tuple[str, ...]:
        return ()

    def create(self, *, parent, data):
        raise NotImplementedError

    def update(self, obj, *, parent, data):
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------
    def parse_row(self, pr: ParsedRow) -> None:
        code = self.text(pr, self.code_header, self.code_max_length)
        if code and not code.replace("-", "").replace("_", "").isalnum():
            self.error(pr.row, self.code_header, _("A code may contain only letters, digits, - and _."))
        pr.data["code"] = code
        pr.data["name"] = self.text(pr, self.name_header, self.name_max_length)
        pr.data["type"] = self.choice(pr, self.type_header, self.type_labels)
        pr.data["parent_code"] = self.text(pr, self.parent_header)
        self.parse_extra(pr)

    def _existing(self, codes):
        model = self.rules.model
        return {n.code: n for n in model.objects.filter(code__in=list(codes))}

    def check_file(self, rows: list[ParsedRow]) -> None:
        model = self.rules.model
        first_row: dict[str, int] = {}
        for pr in rows:
            code = pr.data["code"]
            if code in first_row:
                self.error(
                    pr.row, self.code_header, _("Duplicate code: the same as row %(row)d.") % {"row": first_row[code]}
                )
            else:
                first_row[code] = pr.row
        if self.errors:
            return
        in_file = {pr.data["code"]: pr for pr in rows}
        parent_codes = {pr.data["parent_code"] for pr in rows if pr.data["parent_code"]}
        existing = self._existing(set(in_file) | parent_codes)
        self.existing = existing
        visible = None
        if self.user is not None and not is_unrestricted(self.user):
            visible = set(
                model.objects.restrict(self.user, "view").filter(code__in=list(existing)).values_list("code", flat=True)
            )
        # Codes that exist but lie outside the user's scope must look exactly like unknown codes.
        if visible is not None:
            for pr in rows:
                code = pr.data["code"]
                if code in existing and code not in visible:
                    self.error(pr.row, self.code_header, _("This code is already used by a node outside your scope."))

        def parent_type(code):
            if code in in_file:
                return in_file[code].data["type"]
            return existing[code].type

        for pr in rows:
            pc = pr.data["parent_code"]
            if not pc:
                err = self.rules.parent_error(pr.data["type"], None)
                if err:
                    self.error(pr.row, self.parent_header, err)
                continue
            if pc == pr.data["code"]:
                self.error(pr.row, self.parent_header, _("A node cannot be its own parent."))
                continue
            if pc not in in_file and (pc not in existing or (visible is not None and pc not in visible)):
                self.error(
                    pr.row,
                    self.parent_header,
                    _("Unknown parent code “%(code)s” (not in this file, not in the system, or outside your scope).")
                    % {"code": pc},
                )
                continue
            ptype = parent_type(pc)
            if ptype and pr.data["type"] and ptype not in self.rules.allowed_parents.get(pr.data["type"], set()):
                self.error(
                    pr.row,
                    self.parent_header,
                    _("A %(type)s cannot be placed under a %(parent)s (%(code)s).")
                    % {"type": self.type_labels[pr.data["type"]], "parent": self.type_labels[ptype], "code": pc},
                )
        self._check_cycles(rows, in_file, existing)

    def _effective_parent(self, code, in_file, existing, path_to_code):
        if code in in_file:
            return in_file[code].data["parent_code"] or None
        node = existing.get(code)
        if node is None:
            return None
        parent_path = node.path[: -self.rules.model.steplen]
        if not parent_path:
            return None
        if parent_path not in path_to_code:
            path_to_code.update(dict(self.rules.model.objects.filter(path=parent_path).values_list("path", "code")))
        pc = path_to_code.get(parent_path)
        if pc is not None and pc not in existing:
            existing.update(self._existing([pc]))
        return pc

    def _check_cycles(self, rows, in_file, existing):
        path_to_code: dict[str, str] = {}
        reported = set()
        for pr in rows:
            seen = [pr.data["code"]]
            code = self._effective_parent(pr.data["code"], in_file, existing, path_to_code)
            while code is not None:
                if code in seen:
                    cycle = seen[seen.index(code) :]
                    for c in cycle:
                        if c in in_file and c not in reported:
                            reported.add(c)
                            self.error(
                                in_file[c].row,
                                self.parent_header,
                                _("The parent codes form a cycle: %(cycle)s.") % {"cycle": " → ".join(cycle + [code])},
                            )
                    break
                seen.append(code)
                code = self._effective_parent(code, in_file, existing, path_to_code)

    def _ordered(self, rows):
        """Parents before children, so that every parent exists when its child is written."""
        in_file = {pr.data["code"]: pr for pr in rows}
        depth_cache: dict[str, int] = {}

        def depth(code):
            if code not in depth_cache:
                pc = in_file[code].data["parent_code"]
                depth_cache[code] = 0 if pc not in in_file else depth(pc) + 1
            return depth_cache[code]

        return sorted(rows, key=lambda pr: (depth(pr.data["code"]), pr.row))

    def _comparable(self, obj, parent_code):
        data = {"name": obj.name, "type": obj.type, "parent_code": parent_code or ""}
        for f in self.extra_fields():
            data[f] = getattr(obj, f)
        return data

    def _load_existing(self, codes: list[str]) -> tuple[dict, dict]:
        """Existing nodes by code and their parents' codes by path, in a few bulk queries."""
        model = self.rules.model
        nodes: dict = {}
        for i in range(0, len(codes), 500):
            qs = model.objects.filter(code__in=codes[i : i + 500])
            if self.select_related:
                qs = qs.select_related(*self.select_related)
            nodes.update({n.code: n for n in qs})
        parent_paths = list({n.path[: -model.steplen] for n in nodes.values() if n.depth > 1})
        parent_codes: dict = {}
        for i in range(0, len(parent_paths), 500):
            parent_codes.update(model.objects.filter(path__in=parent_paths[i : i + 500]).values_list("path", "code"))
        return nodes, parent_codes

    select_related: tuple[str, ...] = ()

    def apply(self, rows, progress=None):
        model = self.rules.model
        created = updated = unchanged = 0
        existing, parent_codes = self._load_existing([pr.data["code"] for pr in rows])
        by_code: dict[str, Any] = {}
        total = len(rows)
        for i, pr in enumerate(self._ordered(rows), start=1):
            d = pr.data
            data = {"code": d["code"], "name": d["name"], "type": d["type"]}
            data.update({f: d[f] for f in self.extra_fields()})
            try:
                obj = existing.get(d["code"])
                if obj is None:
                    obj = self.create(parent=self._parent(d["parent_code"], by_code), data=data)
                    created += 1
                else:
                    current_parent_code = parent_codes.get(obj.path[: -model.steplen], "") if obj.depth > 1 else ""
                    want = {k: v for k, v in data.items() if k != "code"}
                    want["parent_code"] = d["parent_code"]
                    if self._comparable(obj, current_parent_code) == want:
                        unchanged += 1
                    else:
                        moving = current_parent_code != d["parent_code"]
                        obj = model.objects.get(pk=obj.pk)  # fresh tree fields: earlier rows may have moved it
                        obj = self.update(
                            obj,
                            parent=self._parent(d["parent_code"], by_code) if moving else UNSET,
                            data={k: v for k, v in data.items() if k != "code"},
                        )
                        updated += 1
            except ValidationError as exc:
                raise RowErrors(messages_from_validation(pr.row, exc, self.columns, self.code_header)) from exc
            except PermissionDenied as exc:
                raise RowErrors([RowMessage(pr.row, self.parent_header, str(exc))]) from exc
            by_code[obj.code] = obj
            if progress:
                progress(i, total)
        return created, updated, unchanged

    def _parent(self, code, by_code):
        if not code:
            return None
        model = self.rules.model
        parent = by_code.get(code)
        # re-read: a parent written earlier in this file may have gained children (treebeard's numchild/path)
        return model.objects.get(pk=parent.pk) if parent is not None else model.objects.get(code=code)

    def export_row(self, node, parent_code: str) -> list:
        """One row of the export file (the columns of `headers`); subclasses give their own."""
        raise NotImplementedError

    def export_rows(self, queryset):
        model = self.rules.model
        queryset = queryset.order_by("path")
        nodes = list(queryset)
        parent_paths = {n.path[: -model.steplen] for n in nodes if n.depth > 1}
        codes = dict(model.objects.filter(path__in=parent_paths).values_list("path", "code"))
        for n in nodes:
            yield self.export_row(n, codes.get(n.path[: -model.steplen], "") if n.depth > 1 else "")
