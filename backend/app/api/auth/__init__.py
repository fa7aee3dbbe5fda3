from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/api/auth")

from . import cli, routes, tokens  # noqa: E402,F401
