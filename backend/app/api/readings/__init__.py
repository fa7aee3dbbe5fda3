from flask import Blueprint

bp = Blueprint("readings", __name__, url_prefix="/api")

from . import cli, routes  # noqa: E402,F401
