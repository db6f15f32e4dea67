"""How a voice v1 resource of an account is served: create, list, fetch, update and delete, with
form parameters in and JSON out (https://www.twilio.com/docs/usage/requests-to-twilio). One
``V1Resource`` says what differs between resources; ``resource_router`` serves it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from phonograph.api.auth import Authenticated, not_found
from phonograph.api.context import ApiContext, Context
from phonograph.api.paging import PageRequest, render_meta_page
from phonograph.api.params import Params
from phonograph.api.v2010.common import form_params, query_params
from phonograph.core import InvalidParameter, new_sid
from phonograph.store import ByocKind, ByocRepo

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass(frozen=True)
class V1Resource(Generic[R]):
    kind: ByocKind[R]
    path: str
    """Its list's path, ``{parent_sid}`` standing for a parent's SID (a policy's targets)."""
    key: str
    """The key of its items in a list page."""
    sid_prefix: str
    parse: Callable[[Params, R | None, AsyncSession, str], Awaitable[dict[str, Any]]]
    """The columns ``params`` set (on a new row when the current one is None), checked against
    the account's other resources (given the session and the account's SID)."""
    wire: Callable[[R, str], dict[str, Any]]
    """Its JSON, given its URL."""
    parent: tuple[ByocKind[Any], str] | None = None
    """The kind of resource it lives under, and its column naming that parent."""
    max_per_parent: int | None = None


def resource_router(resource: V1Resource[Any]) -> APIRouter:
    router = APIRouter()

    def list_url(request: Request) -> str:
        """The list's absolute URL: v1 links are URLs, which the SDK follows as given."""
        path = resource.path.format(parent_sid=request.path_params.get("parent_sid", ""))
        return f"{str(request.base_url).rstrip('/')}/v1{path}"

    async def under(context: ApiContext, account_sid: str, request: Request) -> dict[str, str]:
        """The parent column's value (``{}`` at the top), once the parent is found to be the
        account's."""
        if resource.parent is None:
            return {}
        kind, column = resource.parent
        parent_sid = request.path_params["parent_sid"]
        async with context.db.read() as session:
            if await ByocRepo(session, kind).get_for_account(account_sid, parent_sid) is None:
                raise not_found(request.url.path)
        return {column: parent_sid}

    async def found(context: ApiContext, account_sid: str, sid: str, request: Request) -> Any:
        parent = await under(context, account_sid, request)
        async with context.db.read() as session:
            item = await ByocRepo(session, resource.kind).get_for_account(account_sid, sid)
        if item is None or any(getattr(item, column) != value for column, value in parent.items()):
            raise not_found(request.url.path)
        return item

    def item_json(item: Any, request: Request) -> dict[str, Any]:
        return resource.wire(item, f"{list_url(request)}/{item.sid}")

    @router.post(resource.path)
    async def create(request: Request, principal: Authenticated, context: Context) -> JSONResponse:
        account_sid = principal.account.sid
        parent = await under(context, account_sid, request)
        params = await form_params(request)
        async with context.db.transaction() as session:
            repo = ByocRepo(session, resource.kind)
            values = await resource.parse(params, None, session, account_sid)
            if resource.max_per_parent is not None and parent:
                ((column, value),) = parent.items()
                if len(await repo.where(column, [value])) >= resource.max_per_parent:
                    raise InvalidParameter(
                        f"at most {resource.max_per_parent} {resource.key} are allowed here"
                    )
            item = await repo.create(
                sid=new_sid(resource.sid_prefix),
                account_sid=account_sid,
                now=context.clock.now(),
                **values,
                **parent,
            )
        log.info("%s created sid=%s account=%s", resource.key, item.sid, account_sid)
        return JSONResponse(item_json(item, request), status_code=201)

    @router.get(resource.path)
    async def read(request: Request, principal: Authenticated, context: Context) -> dict[str, Any]:
        account_sid = principal.account.sid
        parent = await under(context, account_sid, request)
        paging = PageRequest.from_params(query_params(request))
        async with context.db.read() as session:
            page = await ByocRepo(session, resource.kind).list_page(account_sid, paging.spec, **parent)
        items = [item_json(item, request) for item in page.items]
        return render_meta_page(resource.key, items, page, paging, list_url(request))

    @router.get(resource.path + "/{sid}")
    async def fetch(sid: str, request: Request, principal: Authenticated, context: Context) -> dict[str, Any]:
        return item_json(await found(context, principal.account.sid, sid, request), request)

    @router.post(resource.path + "/{sid}")
    async def update(
        sid: str, request: Request, principal: Authenticated, context: Context
    ) -> dict[str, Any]:
        account_sid = principal.account.sid
        item = await found(context, account_sid, sid, request)
        params = await form_params(request)
        async with context.db.transaction() as session:
            values = await resource.parse(params, item, session, account_sid)
            item = await ByocRepo(session, resource.kind).update(item.sid, context.clock.now(), **values)
        return item_json(item, request)

    @router.delete(resource.path + "/{sid}", status_code=204)
    async def remove(sid: str, request: Request, principal: Authenticated, context: Context) -> Response:
        account_sid = principal.account.sid
        item = await found(context, account_sid, sid, request)
        async with context.db.transaction() as session:
            await ByocRepo(session, resource.kind).delete(item.sid)
        log.info("%s deleted sid=%s account=%s", resource.key, item.sid, account_sid)
        return Response(status_code=204)

    return router
