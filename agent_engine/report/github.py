"""The few GitHub REST calls the PR comment needs: list a PR's comments (every page), create
one, update one; 5xx, 429 and transport errors retried through stamina. The token only ever
goes into the Authorization header."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import httpx
import stamina

from agent_engine.delivery.client import RetryableStatusError, should_retry
from agent_engine.errors import AgentEngineError
from agent_engine.report.comment import MARKER

Action = Literal["created", "updated", "unchanged"]


class GitHubError(AgentEngineError):
    """GitHub refused a call (bad token, missing permission, unknown PR)."""

    code = "github_refused"
    status = 502


class GitHub:
    """A repository's issue comments, through an httpx client that carries the base URL."""

    def __init__(self, http: httpx.Client, repository: str, attempts: int = 5) -> None:
        self.http, self.repository, self.attempts = http, repository, attempts

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._send(method, url, **kwargs)
        except RetryableStatusError as exc:
            raise GitHubError(
                f"GitHub answered {exc.response.status_code} to {method} "
                f"{exc.response.url.path} {self.attempts} times; try again later"
            ) from exc
        except httpx.TransportError as exc:
            raise GitHubError(f"GitHub cannot be reached: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            message = response.json().get("message", "") if _is_json(response) else ""
            raise GitHubError(
                f"GitHub answered {response.status_code} to {method} {response.url.path}"
                f"{': ' + message if message else ''}"
            )
        return response

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        for attempt in stamina.retry_context(on=should_retry, attempts=self.attempts):
            with attempt:
                response = self.http.request(method, url, **kwargs)
                if response.status_code >= 500 or response.status_code == 429:
                    raise RetryableStatusError(response)
        return response

    def comments(self, pr: int) -> Iterator[dict[str, Any]]:
        """Every comment of the PR, following the Link header's next pages."""
        url: str | None = f"/repos/{self.repository}/issues/{pr}/comments?per_page=100"
        while url:
            response = self.request("GET", url)
            yield from response.json()
            url = response.links.get("next", {}).get("url")

    def head_sha(self, pr: int) -> str:
        sha: str = self.request("GET", f"/repos/{self.repository}/pulls/{pr}").json()["head"]["sha"]
        return sha

    def upsert(self, pr: int, body: str, bot: str) -> tuple[Action, int]:
        """Update the bot's own marked comment in place, or create it; never anyone else's."""
        mine = [
            c
            for c in self.comments(pr)
            if MARKER in (c.get("body") or "") and (c.get("user") or {}).get("login") == bot
        ]
        if mine:
            first = min(mine, key=lambda c: int(c["id"]))
            if first.get("body") == body:
                return "unchanged", int(first["id"])
            url = f"/repos/{self.repository}/issues/comments/{first['id']}"
            self.request("PATCH", url, json={"body": body})
            return "updated", int(first["id"])
        made = self.request(
            "POST", f"/repos/{self.repository}/issues/{pr}/comments", json={"body": body}
        )
        return "created", int(made.json()["id"])


def _is_json(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/json")
