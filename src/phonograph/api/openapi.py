"""What phonograph's OpenAPI document (``/phonograph/openapi.json``) says that FastAPI cannot see.

Handlers read their JSON bodies and query strings themselves, so that a bad one is answered with
Twilio's code and message rather than FastAPI's 422; FastAPI therefore sees neither. A route of
phonograph's own (``/phonograph/v1``) declares them with ``openapi_extra=described(...)``, from the
same pydantic model or the same parameter names its handler reads, so the document cannot drift
from what is parsed. Auth is declared where it is enforced: ``api/auth.py``'s dependency carries
``BASIC_AUTH``, and FastAPI lists it on every route that depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.security import HTTPBasic
from pydantic import BaseModel
from starlette.requests import Request

from phonograph.api.paging import MAX_PAGE, MAX_PAGE_SIZE


class _BasicAuthDocument(HTTPBasic):
    """HTTP Basic in the document only: ``api/auth.py`` parses the header itself, to answer
    Twilio's 20003 (FastAPI's parser would answer its own 401)."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


BASIC_AUTH = _BasicAuthDocument(
    # Twilio's OpenAPI files name the scheme so (twilio.com/docs/usage/requests-to-twilio).
    scheme_name="accountSid_authToken",
    description="HTTP Basic: an Account SID and its Auth Token, or an API key SID and its secret.",
    auto_error=False,
)


def query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PAGE_PARAMETERS = (
    query_parameter("PageSize", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, "Items a page."),
    query_parameter("Page", {"type": "integer", "minimum": 0, "maximum": MAX_PAGE}, "The page number."),
    query_parameter("PageToken", {"type": "string"}, "A token from a page's next or previous page URI."),
)


def described(*, body: type[BaseModel] | None = None, query: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """``openapi_extra`` for a route: its JSON body's schema and its query parameters."""
    extra: dict[str, Any] = {}
    if body is not None:
        schema = _inlined(body.model_json_schema())
        extra["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    if query:
        extra["parameters"] = list(query)
    return extra


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` put in place of their ``$ref``\\ s: a ``#/$defs/…`` reference
    inside an operation would resolve against the whole document, where there is no ``$defs``."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
