"""Nodes and edges rendered as Graph answers: field selection (defaults, nested selections, nested
edges with modifiers) and cursor-paged lists. A field the node type does not have is Meta's error
100 "Tried accessing nonexisting field"; a field it has but that is empty is left out, as Meta does.
"""

from __future__ import annotations

from . import facebook, instagram
from .fields import Field, render_fields
from .paging import Cursors, limit_of, link_builder, page
from .spec import MetaSpec
from .store import Store
from .wire import Nested, Reply, nonexisting_field

DEFAULTS = {**facebook.DEFAULTS, **instagram.DEFAULTS}
EDGES = {**facebook.EDGES, **instagram.EDGES}
VALUES = {**facebook.VALUES, **instagram.VALUES}
LISTINGS = {node: facebook.listing for node in facebook.EDGES} | {
    node: instagram.listing for node in instagram.EDGES
}
SUMMARY_EDGES = {("PagePost", "comments"), ("Comment", "comments")}


class Renderer:
    """Renders for one request: links carry its API version and access token, as Meta's do."""

    def __init__(
        self,
        store: Store,
        cursors: Cursors,
        spec: MetaSpec | None,
        *,
        base_url: str,
        version: str,
        token: str,
        app: dict,
    ):
        self.store, self.cursors, self.spec = store, cursors, spec
        self.base_url, self.version, self.token, self.app = base_url, version, token, app

    def known(self, node: str, name: str) -> bool:
        if self.spec is not None:
            return self.spec.has_field(node, name) or self.spec.edge_return(node, name) is not None
        return name in EDGES.get(node, {}) or name in instagram.MENTION_FIELDS and node == "IGUser"

    def node(self, node: str, obj, fields: tuple[Field, ...] | None) -> dict | Reply:
        fields = fields if fields is not None else tuple(Field(name) for name in DEFAULTS[node])
        values, out = None, {}
        for f in fields:
            if f.name in EDGES.get(node, {}):
                body = self.edge(node, obj, f.name, f.args, f.sub, nested=True)
                if isinstance(body, Reply):
                    return body
                if body.get("data") or "summary" in body:  # Meta leaves out an empty connection
                    out[f.name] = body
                continue
            if node == "IGUser" and f.name in instagram.MENTION_FIELDS:
                found = instagram.mentioned(self.store, obj, f.name, f.args)
                if isinstance(found, Reply):
                    return found
                value = self.value(found, f.sub)
            else:
                values = values if values is not None else VALUES[node](self.store, obj, self.app)
                if f.name not in values:
                    if not self.known(node, f.name):
                        return nonexisting_field(f.name, node)
                    continue
                value = self.value(values[f.name], f.sub)
            if isinstance(value, Reply):
                return value
            if value is not None:
                out[f.name] = value
        out.setdefault("id", obj.id)  # Graph answers a node with its id, asked for or not
        return out

    def value(self, value, sub: tuple[Field, ...] | None):
        if isinstance(value, Nested):
            return self.node(value.node, value.obj, sub)
        if isinstance(value, dict) and sub is not None:
            return {s.name: value[s.name] for s in sub if s.name in value}
        return value

    def edge(
        self, node: str, obj, edge: str, params: dict, sub: tuple[Field, ...] | None, *, nested: bool = False
    ) -> dict | Reply:
        items = LISTINGS[node](self.store, node, obj, edge, params)
        if isinstance(items, Reply):
            return items
        limit = limit_of(params.get("limit"))
        if isinstance(limit, Reply):
            return limit
        query = dict(params)
        if nested:  # a nested edge's next page is fetched from the edge itself
            query = {k: v for k, v in params.items() if k != "summary"}
            query["access_token"] = self.token
            if sub is not None:
                query["fields"] = render_fields(sub)
        link = link_builder(self.base_url, f"/{self.version}/{obj.id}/{edge}", query)
        paged = page(
            items,
            cursors=self.cursors,
            limit=limit,
            after=params.get("after"),
            before=params.get("before"),
            link=link,
        )
        if isinstance(paged, Reply):
            return paged
        chunk, paging = paged
        item_node = EDGES[node][edge]
        data = []
        for item in chunk:
            rendered = self.node(item_node, item, sub)
            if isinstance(rendered, Reply):
                return rendered
            data.append(rendered)
        body: dict = {"data": data}
        if paging:
            body["paging"] = paging
        if (node, edge) in SUMMARY_EDGES and params.get("summary", "").lower() in (
            "true",
            "1",
            "total_count",
        ):
            body["summary"] = facebook.summary(items, params)
        return body
