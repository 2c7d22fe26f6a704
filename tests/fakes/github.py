"""A small recording fake of the GitHub REST endpoints the PR comment uses: list a PR's
comments (paginated with a Link header), create, update, read a PR's head. It keeps what it
was sent, and can answer a given status first (a 502 before a success)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT = "github-actions[bot]"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    authorization: str
    body: Any = None


@dataclass
class FakeGitHub:
    repository: str = "acme/shop"
    head_sha: str = "0123456789abcdef0123456789abcdef01234567"
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses answered before the real one
    next_id: int = 1000

    def add(self, pr: int, body: str, login: str = BOT) -> int:
        self.next_id += 1
        self.comments.setdefault(pr, []).append(
            {"id": self.next_id, "body": body, "user": {"login": login}}
        )
        return self.next_id

    def app(self) -> Starlette:
        base = "/repos/{owner}/{repo}"
        return Starlette(
            routes=[
                Route(
                    base + "/issues/{pr:int}/comments", self.list_or_create, methods=["GET", "POST"]
                ),
                Route(base + "/issues/comments/{comment:int}", self.update, methods=["PATCH"]),
                Route(base + "/pulls/{pr:int}", self.pull, methods=["GET"]),
            ]
        )

    async def _record(self, request: Request) -> Response | None:
        body = await request.json() if request.method in ("POST", "PATCH") else None
        self.requests.append(
            Recorded(
                request.method,
                request.url.path,
                request.url.query,
                request.headers.get("authorization", ""),
                body,
            )
        )
        if f"{request.path_params['owner']}/{request.path_params['repo']}" != self.repository:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse({"message": "Requires authentication"}, status_code=401)
        if self.fail_next:
            return JSONResponse({"message": "Server Error"}, status_code=self.fail_next.pop(0))
        return None

    async def list_or_create(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        pr = request.path_params["pr"]
        if request.method == "POST":
            self.next_id += 1
            made = {
                "id": self.next_id,
                "body": self.requests[-1].body["body"],
                "user": {"login": BOT},
            }
            self.comments.setdefault(pr, []).append(made)
            return JSONResponse(made, status_code=201)
        per_page = int(request.query_params.get("per_page", "30"))
        page = int(request.query_params.get("page", "1"))
        every = self.comments.get(pr, [])
        chunk = every[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(every):
            url = str(request.url.include_query_params(page=page + 1))
            headers["Link"] = f'<{url}>; rel="next"'
        return JSONResponse(chunk, headers=headers)

    async def update(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        wanted = request.path_params["comment"]
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == wanted:
                    comment["body"] = self.requests[-1].body["body"]
                    return JSONResponse(comment)
        return JSONResponse({"message": "Not Found"}, status_code=404)

    async def pull(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        return JSONResponse({"number": request.path_params["pr"], "head": {"sha": self.head_sha}})
