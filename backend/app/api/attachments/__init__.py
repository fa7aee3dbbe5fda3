from flask import Blueprint

from ...security import allow_tokens

bp = Blueprint("attachments", __name__, url_prefix="/api")
# Personal access tokens as for readings: read for GET (signed links too), write for the rest.
allow_tokens(bp)

from . import cli, routes  # noqa: E402,F401
