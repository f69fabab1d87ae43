"""Swagger UI at ``/docs`` and the OpenAPI document at ``/openapi.json``.

The UI's scripts and styles (Swagger UI 5, which reads OpenAPI 3.1) come
from the swagger-ui-py package and are served by the gateway itself, so the
page works without internet access.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from aiohttp import web

from gateway.ops.openapi import render_openapi

DOCS_PATH = "/docs"
OPENAPI_PATH = "/openapi.json"
_ASSETS_PATH = f"{DOCS_PATH}/assets"


def _assets_directory() -> Path:
    # Located without importing the package, which would pull in its web-framework glue.
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(spec.submodule_search_locations[0]) / "static"


_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>retailops-gateway API</title>
  <link rel="stylesheet" href="{_ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{_ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{_ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{OPENAPI_PATH}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    }});
  </script>
</body>
</html>
"""


def setup_docs(app: web.Application, base_path: str) -> None:
    """Add the docs page, its assets and the OpenAPI document to ``app``."""
    document = render_openapi(base_path)
    page = _PAGE.encode()

    async def openapi_json(_: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json")

    async def docs_page(_: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html")

    app.router.add_get(OPENAPI_PATH, openapi_json)
    app.router.add_get(DOCS_PATH, docs_page)
    app.router.add_get(f"{DOCS_PATH}/", docs_page)
    app.router.add_static(_ASSETS_PATH, _assets_directory())
