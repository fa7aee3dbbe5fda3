from flask import Blueprint

from ...security import allow_tokens

bp = Blueprint("notifications", __name__, url_prefix="/api")
allow_tokens(bp)  # personal access tokens: read for GET, write for the rest

from . import routes  # noqa: E402,F401
