"""The web app: sign in, projects and their tasks, pages backed by a small JSON API."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from sample_app import faults, repo
from sample_app.db import Connection, Database

HERE = Path(__file__).parent
SLOW_SECONDS = 8.0
log = logging.getLogger("sample_app")


@dataclass(frozen=True, slots=True)
class Config:
    database: Database
    faults: frozenset[str]
    secret: str
    state_dir: Path
    started_at: float

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        active = faults.active(env)
        return cls(
            database=Database.from_env(env, active),
            faults=active,
            secret=env.get("SAMPLE_APP_SECRET", "sample-app-local-secret"),
            state_dir=Path(env.get("SAMPLE_APP_STATE_DIR", ".sample_app")),
            started_at=time.time(),
        )

    def names(self) -> dict[str, str]:
        """The ids, test ids, labels and texts the E2E suite finds things by (drift faults)."""
        on = self.faults.__contains__
        return {
            "new_project_id": "create-project-btn" if on("drift_id") else "new-project-btn",
            "project_row_testid": "project-item" if on("drift_testid") else "project-row",
            "project_name_label": "Name of project" if on("drift_label") else "Project name",
            "add_task_text": ""
            if on("drift_removed")
            else "Create task"
            if on("drift_text")
            else "Add task",
        }


def flaky_marker(config: Config) -> Path:
    return config.state_dir / "flaky-tripped"


class App:
    """Route handlers over one Config."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))

    async def db(self, work: Callable[[Connection], Any]) -> Any:
        def run() -> Any:
            with self.config.database.connect() as conn:
                return work(conn)

        return await run_in_threadpool(run)

    def user(self, request: Request) -> str | None:
        """The signed-in user, unless the session is missing or has expired."""
        username = request.session.get("user")
        issued = float(request.session.get("issued_at", 0))
        if "session_expired" in self.config.faults and issued < self.config.started_at:
            if username:
                log.warning("session for %s expired (issued before this server started)", username)
            return None
        return str(username) if username else None

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context |= {
            "user": self.user(request),
            "names": self.config.names(),
            "csrf": csrf_token(request),
        }
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # --- sign in and out ----------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        return self.page(request, "login.html", next=request.query_params.get("next", "/projects"))

    async def login(self, request: Request) -> Response:
        form = await check_csrf(request)
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        user = await self.db(lambda c: repo.find_user(c, username))
        target = safe_next(str(form.get("next", "/projects")))
        if user is None or not repo.check_password(password, user["password_hash"]):
            return self.page(
                request,
                "login.html",
                401,
                next=target,
                error="Invalid username or password.",
                username=username,
            )
        request.session.update(
            {"user": username, "issued_at": time.time(), "csrf": secrets.token_urlsafe(16)}
        )
        return RedirectResponse(target, status_code=303)

    async def logout(self, request: Request) -> Response:
        await check_csrf(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # --- pages --------------------------------------------------------------------------

    async def home(self, _: Request) -> Response:
        return RedirectResponse("/projects", status_code=303)

    async def projects(self, request: Request) -> Response:
        return self.page(request, "projects.html")

    async def project(self, request: Request) -> Response:
        project = await self.load_project(request)
        return self.page(request, "project.html", project=project)

    async def new_project(self, request: Request) -> Response:
        if request.method == "GET":
            return self.page(request, "project_form.html", project=None, errors={}, values={})
        form = await check_csrf(request)
        values = {
            "name": str(form.get("name", "")).strip(),
            "description": str(form.get("description", "")).strip(),
        }
        errors = await self.db(lambda c: validate(c, values))
        if errors:
            return self.page(
                request, "project_form.html", 400, project=None, errors=errors, values=values
            )
        new_id = await self.db(lambda c: repo.create_project(c, **values))
        return RedirectResponse(f"/projects/{new_id}", status_code=303)

    async def edit_project(self, request: Request) -> Response:
        project = await self.load_project(request)
        if request.method == "GET":
            return self.page(
                request, "project_form.html", project=project, errors={}, values=project
            )
        form = await check_csrf(request)
        values = {
            "name": str(form.get("name", "")).strip(),
            "description": str(form.get("description", "")).strip(),
        }
        errors = await self.db(lambda c: validate(c, values, project["id"]))
        if errors:
            return self.page(
                request, "project_form.html", 400, project=project, errors=errors, values=values
            )
        await self.db(lambda c: repo.update_project(c, project["id"], **values))
        return RedirectResponse(f"/projects/{project['id']}", status_code=303)

    async def add_task(self, request: Request) -> Response:
        project = await self.load_project(request)
        form = await check_csrf(request)
        title = str(form.get("title", "")).strip()
        if title:
            await self.db(lambda c: repo.add_task(c, project["id"], title))
        return RedirectResponse(f"/projects/{project['id']}", status_code=303)

    async def load_project(self, request: Request) -> dict[str, Any]:
        project_id = int(request.path_params["project_id"])
        project = await self.db(lambda c: repo.get_project(c, project_id))
        if project is None:
            raise HTTPException(404, f"Project {project_id} does not exist")
        return dict(project)

    # --- JSON API -----------------------------------------------------------------------

    async def api_projects(self, request: Request) -> Response:
        if "slow" in self.config.faults:
            await asyncio.sleep(SLOW_SECONDS)
        query = request.query_params.get("q", "")
        return JSONResponse({"projects": await self.db(lambda c: repo.list_projects(c, query))})

    async def api_tasks(self, request: Request) -> Response:
        project = await self.load_project(request)
        if "flaky" in self.config.faults and not flaky_marker(self.config).exists():
            flaky_marker(self.config).parent.mkdir(parents=True, exist_ok=True)
            flaky_marker(self.config).touch()
            await asyncio.sleep(SLOW_SECONDS)  # a cold cache, once
        tasks = await self.db(lambda c: repo.list_tasks(c, project["id"]))
        if "server_error" in self.config.faults:
            tasks = [{**t, "assignee": t["owner"]} for t in tasks]  # a real bug: no owner
        return JSONResponse({"project": project["id"], "tasks": [task_json(t) for t in tasks]})

    async def api_toggle(self, request: Request) -> Response:
        body = await request.json()
        task_id = int(request.path_params["task_id"])
        task = await self.db(lambda c: repo.set_task_done(c, task_id, bool(body.get("done"))))
        if task is None:
            raise HTTPException(404, f"Task {task_id} does not exist")
        return JSONResponse(task_json(task))

    async def health(self, _: Request) -> Response:
        kind = self.config.database.kind
        try:
            await self.db(lambda c: c.one("SELECT COUNT(*) AS n FROM schema_migrations"))
        except Exception as exc:
            log.error("health check: database %s unavailable: %s", kind, exc)
            return JSONResponse(
                {"status": "error", "database": "unavailable", "engine": kind}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok", "engine": kind})


def task_json(task: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": task["id"],
        "title": task["title"],
        "done": bool(task["done"]),
        **({"assignee": task["assignee"]} if "assignee" in task else {}),
    }


def validate(conn: Connection, values: Mapping[str, str], other_than: int = 0) -> dict[str, str]:
    errors = {}
    if not values["name"]:
        errors["name"] = "Name is required."
    elif len(values["name"]) > 80:
        errors["name"] = "Name must be at most 80 characters."
    elif repo.name_taken(conn, values["name"], other_than):
        errors["name"] = "A project with this name already exists."
    return errors


def csrf_token(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(16)
    return str(request.session["csrf"])


async def check_csrf(request: Request) -> Any:
    form = await request.form()
    sent, expected = str(form.get("csrf_token", "")), request.session.get("csrf", "")
    if not expected or not secrets.compare_digest(sent, str(expected)):
        log.warning("CSRF verification failed for %s %s", request.method, request.url.path)
        raise HTTPException(403, "CSRF verification failed.")
    return form


def safe_next(target: str) -> str:
    """Only local paths: never redirect to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/projects"


Handler = Callable[[Request], Awaitable[Response]]


def require_user(app: App, handler: Handler, api: bool = False) -> Handler:
    async def guarded(request: Request) -> Response:
        if app.user(request) is None:
            if api:
                return JSONResponse({"error": "not authenticated"}, status_code=401)
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=302)
        return await handler(request)

    return guarded


def create_app(config: Config | None = None) -> Starlette:
    """The ASGI app; configuration from the environment unless given."""
    config = config or Config.from_env()
    app = App(config)

    def page(handler: Handler) -> Handler:
        return require_user(app, handler)

    def api(handler: Handler) -> Handler:
        return require_user(app, handler, api=True)

    routes = [
        Route("/", page(app.home)),
        Route("/login", app.login_form, methods=["GET"]),
        Route("/login", app.login, methods=["POST"]),
        Route("/logout", app.logout, methods=["POST"]),
        Route("/projects", page(app.projects)),
        Route("/projects/new", page(app.new_project), methods=["GET", "POST"]),
        Route("/projects/{project_id:int}", page(app.project)),
        Route("/projects/{project_id:int}/edit", page(app.edit_project), methods=["GET", "POST"]),
        Route("/projects/{project_id:int}/tasks", page(app.add_task), methods=["POST"]),
        Route("/api/health/", app.health),
        Route("/api/projects", api(app.api_projects)),
        Route("/api/projects/{project_id:int}/tasks", api(app.api_tasks)),
        Route("/api/tasks/{task_id:int}", api(app.api_toggle), methods=["PATCH"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return app.page(request, "error.html", exc.status_code, message=exc.detail)

    return Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=config.secret,
                session_cookie="sample_app_session",
                same_site="lax",
            )
        ],
        exception_handlers={HTTPException: not_found},
    )
