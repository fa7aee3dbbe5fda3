from flask import Blueprint

bp = Blueprint("bills", __name__, url_prefix="/api")

from . import routes  # noqa: E402,F401
