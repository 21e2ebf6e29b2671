"""Web frameworks' request objects: one table of what holds the HTTP request a server handles
(request classes a handler's parameter is annotated with, module-level request proxies) and
which of their attributes and methods carry what the client sent.

Resolvers ask this table to tell request data (a header, the body, a query parameter) from the
server's own values; rules do not keep lists of their own.
"""

from __future__ import annotations

from collections.abc import Mapping

# Classes of the request a handler receives: qualified name -> where it is documented.
REQUEST_CLASSES: Mapping[str, str] = {
    "starlette.requests.Request": "Starlette docs: Request(scope, receive)",
    "starlette.requests.HTTPConnection": "Starlette docs: HTTPConnection, the base of Request",
    "fastapi.Request": "FastAPI re-exports starlette's Request",
    "fastapi.requests.Request": "FastAPI re-exports starlette's Request",
    "flask.Request": "Flask docs: flask.Request, a werkzeug Request",
    "werkzeug.Request": "Werkzeug docs: werkzeug.Request",
    "werkzeug.wrappers.Request": "Werkzeug docs: werkzeug.wrappers.Request",
    "quart.Request": "Quart docs: quart.Request",
    "aiohttp.web.Request": "aiohttp docs: web.Request, what a handler receives",
    "aiohttp.web.BaseRequest": "aiohttp docs: web.BaseRequest",
    "aiohttp.web_request.Request": "aiohttp: web_request.Request, re-exported as web.Request",
    "django.http.HttpRequest": "Django docs: HttpRequest, a view's first argument",
    "django.http.request.HttpRequest": "Django: http.request.HttpRequest, re-exported by django.http",
    "rest_framework.request.Request": "Django REST framework docs: Request",
    "sanic.Request": "Sanic docs: sanic.Request",
    "sanic.request.Request": "Sanic docs: sanic.request.Request",
    "tornado.httputil.HTTPServerRequest": "Tornado docs: HTTPServerRequest",
    "falcon.Request": "Falcon docs: falcon.Request",
    "litestar.Request": "Litestar docs: litestar.Request",
}
# Module-level proxies of the request being handled.
REQUEST_GLOBALS = frozenset(["flask.request", "quart.request", "bottle.request"])
# Packages whose modules serve HTTP: a handler's parameter named `request` (or `req`) without an
# annotation is taken for the framework's request only in a module importing one of them.
SERVING_PACKAGES = (
    "fastapi",
    "starlette",
    "flask",
    "quart",
    "django",
    "rest_framework",
    "aiohttp.web",
    "sanic",
    "tornado.web",
    "falcon",
    "litestar",
    "bottle",
)
# How an application hands the server the coroutines it runs at startup and shutdown, each with
# where it is documented. The server accepts no request until startup ends and serves none once
# shutdown begins (a lifespan waits at its `yield` while the app serves), so a blocking call there
# delays no request.
LIFECYCLE_KEYWORDS: Mapping[str, str] = {
    "lifespan": "FastAPI, Starlette and Litestar docs: lifespan=, the app's startup and shutdown",
    "on_startup": "Starlette and Litestar docs: on_startup=[...] handlers",
    "on_shutdown": "Starlette and Litestar docs: on_shutdown=[...] handlers",
}
# The events of `@app.on_event("startup")` and `app.add_event_handler("shutdown", f)` (FastAPI,
# Starlette).
LIFECYCLE_EVENTS = frozenset(["startup", "shutdown"])
# aiohttp's signal lists of an Application: `app.on_startup.append(f)`.
LIFECYCLE_SIGNALS: Mapping[str, str] = {
    "on_startup": "aiohttp docs: Application.on_startup",
    "on_shutdown": "aiohttp docs: Application.on_shutdown",
    "on_cleanup": "aiohttp docs: Application.on_cleanup",
    "cleanup_ctx": "aiohttp docs: Application.cleanup_ctx",
}
# Attributes of a request that hold what the client sent, and what each is.
CLIENT_ATTRIBUTES: Mapping[str, str] = {
    "headers": "header",
    "cookies": "cookie",
    "COOKIES": "cookie",
    "META": "header",
    "content_type": "content type",
    "mimetype": "content type",
    "query_params": "query parameter",
    "args": "query parameter",
    "query": "query parameter",
    "GET": "query parameter",
    "path_params": "path parameter",
    "match_info": "path parameter",
    "values": "form or query value",
    "form": "body",
    "POST": "body",
    "json": "body",
    "data": "body",
    "body": "body",
    "content": "body",
    "files": "body",
    "FILES": "body",
    "stream": "body",
}
# Methods of a request that read what the client sent.
CLIENT_READS: Mapping[str, str] = {
    "body": "body",
    "json": "body",
    "form": "body",
    "get_json": "body",
    "get_data": "body",
    "text": "body",
    "read": "body",
    "post": "body",
    "stream": "body",
}
# Methods that keep a value the client's: reading a mapping, normalising text.
PASS_THROUGH = frozenset(
    [
        "get",
        "getlist",
        "get_all",
        "getone",
        "lower",
        "upper",
        "casefold",
        "strip",
        "lstrip",
        "rstrip",
        "split",
        "rsplit",
        "partition",
        "rpartition",
        "decode",
        "replace",
        "removeprefix",
        "removesuffix",
    ]
)


# The top-level packages that define a request class or proxy: a module importing none of them
# holds no request (the cheap screen in front of request-data resolution).
FRAMEWORKS = frozenset(q.split(".")[0] for q in (*REQUEST_CLASSES, *REQUEST_GLOBALS, *SERVING_PACKAGES))


def is_request_class(qualname: str | None) -> bool:
    return qualname is not None and qualname in REQUEST_CLASSES


def is_serving_module(imported: str) -> bool:
    """Does an imported qualified name belong to a serving package?"""
    return any(imported == p or imported.startswith(p + ".") for p in SERVING_PACKAGES)
