r"""docs/api.md is executable: every example runs, in order, on a fresh database, and must answer
the status and body the guide shows.

The guide's bash blocks are read as one shell session. Each `curl` (except one whose output goes
to `-o /dev/null`) is an example; its answer is in the block right after it (a line starting
with the status: `201 {...}`, `204 (no body)`, or `HTTP/1.1 200 OK`, headers, a blank line and
the body). Besides `curl`, a block may call `login EMAIL PASSWORD` (the setup's shell function:
signs in and keeps the access token in `$TOKEN`), `flask --app wsgi ...` (a CLI command),
`CSRF=$(awk ...)` (read a cookie from a curl cookie jar), `VAR=$(curl ... | python3 -c
'import json,sys; print(json.load(sys.stdin)["key"])')` (keep one member of an answer, e.g. a
share-link token), `cat > FILE <<'END'` (a file for `-F`) and `base64 -d > FILE <<'END'` (a binary
file, e.g. an image, written as base64). `-F name=@FILE` sends a file part, `-F name=value` a
form field; `${VAR#*\?}` is what follows the first `?` of a kept URL (its query). Anything
else is an error, so the guide stays runnable.

What may vary is written with `…` (the guide's own abbreviation):
- `…` as an object member (`{"id":1, …}`) allows any further members; `{…}` is any object;
- `…` as an array item allows any further items at that place;
- a string ending in `…` matches any string starting with what comes before (tokens);
- a timestamp (`2026-11-22T03:41:44.918702+00:00`) matches any timestamp;
- in a text body, a line `…` is any number of lines, and `…` within a line is any text.
In a request body, a string ending in `…` stands for the real token: the latest refresh token
answered (`refresh_token`) or the token of the latest e-mail's link (`token`).
The clock starts at the guide's date, 2026-11-22T03:41:44Z, so "today" is the guide's today.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import OutboxMessage

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
DOC_NOW = datetime(2026, 11, 22, 3, 41, 44, 918702, tzinfo=UTC)
ELLIPSIS = "…"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
STATUS_LINE = re.compile(r"^(?:HTTP/1\.1 )?(\d{3})(?:\s|$)")
AWK_COOKIE = re.compile(r"""^(\w+)=\$\(awk '\$6=="(\w+)"\{print \$7\}' (\S+)\)$""")
HEREDOC = re.compile(r"^(cat|base64 -d) > (\S+) <<'(\w+)'$")
QUERY_OF = re.compile(r"\$\{(\w+)#\*\\\?\}")
JSON_VAR = re.compile(
    r"""^(\w+)=\$\((curl .+) \| python3 -c 'import json,sys; print\(json.load\(sys.stdin\)\["(\w+)"\]\)'\)$"""
)


# --- the guide, parsed ---------------------------------------------------------------------


@dataclass
class Answer:
    line: int
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None  # parsed JSON (with markers), a list of text lines, or None for no body
    is_json: bool = False


@dataclass
class Curl:
    line: int
    method: str = "GET"
    url: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    data: str | None = None
    form_file: tuple[str, str] | None = None  # (part name, file name)
    form_fields: list[tuple[str, str]] = field(default_factory=list)  # -F name=value
    cookie_in: str | None = None
    cookie_out: str | None = None
    include: bool = False
    discard: bool = False
    answer: Answer | None = None


@dataclass
class Command:
    line: int
    kind: str  # login | flask | cookie-var | file | json-var
    args: list[str]
    curl: Curl | None = None  # json-var: the request whose answer holds the value


Step = Curl | Command


def fenced_blocks(text: str) -> list[tuple[str, int, int, list[str]]]:
    """(language, first line number of the content, line number of the closing fence, lines)."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = re.match(r"^```(\w*)\s*$", lines[i])
        if match:
            start = i + 1
            end = start
            while not lines[end].startswith("```"):
                end += 1
            blocks.append((match.group(1), start + 1, end + 1, lines[start:end]))
            i = end + 1
        else:
            i += 1
    return blocks


def parse_json_with_markers(source: str) -> Any:
    """JSON in which `…` may stand for further members or items (turned into ELLIPSIS markers)."""
    out, stack, in_string, escaped = [], [], False, False
    for char in source:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]":
            stack.pop()
        elif char == ELLIPSIS:
            out.append(f'"{ELLIPSIS}":"{ELLIPSIS}"' if stack and stack[-1] == "{" else f'"{ELLIPSIS}"')
            continue
        out.append(char)
    return json.loads("".join(out))


def parse_answers(start: int, lines: list[str]) -> list[Answer]:
    answers: list[tuple[int, list[str]]] = []
    for offset, line in enumerate(lines):
        if STATUS_LINE.match(line):
            answers.append((start + offset, [line]))
        elif answers:
            answers[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"docs/api.md line {start + offset}: an answer must start with its status")
    parsed = []
    for line_no, chunk in answers:
        first = chunk[0]
        status = int(STATUS_LINE.match(first).group(1))  # type: ignore[union-attr]
        answer = Answer(line=line_no, status=status)
        if first.startswith("HTTP/"):
            rest = chunk[1:]
            while rest and rest[0].strip():
                name, _, value = rest.pop(0).partition(":")
                answer.headers.append((name.strip(), value.strip()))
            body_lines = rest[1:] if rest else []
        else:
            body_lines = [first[3:].strip(), *chunk[1:]]
        while body_lines and not body_lines[-1].strip():
            body_lines.pop()
        body = "\n".join(body_lines).strip()
        if body in ("", "(no body)"):
            answer.body = None
        elif body.startswith(("{", "[")):
            answer.body, answer.is_json = parse_json_with_markers(body), True
        else:
            answer.body = body_lines
        parsed.append(answer)
    return parsed


def parse_curl(line_no: int, words: list[str]) -> Curl:
    curl = Curl(line=line_no)
    args = iter(words[1:])
    for word in args:
        if word == "-s":
            continue
        if word == "-i":
            curl.include = True
        elif word == "-X":
            curl.method = next(args)
        elif word == "-H":
            name, _, value = next(args).partition(":")
            curl.headers.append((name.strip(), value.strip()))
        elif word == "-d":
            curl.data = next(args)
            if curl.method == "GET":
                curl.method = "POST"
        elif word == "-F":
            value = next(args)
            if "=@" in value:
                part, _, file = value.partition("=@")
                curl.form_file = (part, file)
            else:
                name, _, text = value.partition("=")
                curl.form_fields.append((name, text))
            if curl.method == "GET":
                curl.method = "POST"
        elif word == "-o":
            curl.discard = next(args) == "/dev/null"
        elif word == "-b":
            curl.cookie_in = next(args)
        elif word == "-c":
            curl.cookie_out = next(args)
        elif word.startswith("-"):
            raise AssertionError(f"docs/api.md line {line_no}: curl option {word} is not understood by the test")
        else:
            curl.url = word
    return curl


def parse_bash(start: int, lines: list[str], files: dict[str, str | bytes]) -> list[Step]:
    steps: list[Step] = []
    i = 0
    while i < len(lines):
        line_no, line = start + i, lines[i]
        i += 1
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if re.match(r"^\w+\(\) \{", stripped):  # a shell function of the setup: skip its body
            while i < len(lines) and lines[i].strip() != "}":
                i += 1
            i += 1
            continue
        heredoc = HEREDOC.match(stripped)
        if heredoc:
            kind, name, marker = heredoc.groups()
            end = lines.index(marker, i)
            text = "\n".join(lines[i:end]) + "\n"
            files[name] = base64.b64decode(text) if kind == "base64 -d" else text
            steps.append(Command(line_no, "file", [name]))
            i = end + 1
            continue
        json_var = JSON_VAR.match(stripped)
        if json_var:
            name, request, key = json_var.groups()
            steps.append(Command(line_no, "json-var", [name, key], parse_curl(line_no, shlex.split(request))))
            continue
        cookie_var = AWK_COOKIE.match(stripped)
        if cookie_var:
            steps.append(Command(line_no, "cookie-var", list(cookie_var.groups())))
            continue
        words = shlex.split(stripped, comments=True)
        if words[0] == "curl":
            steps.append(parse_curl(line_no, words))
        elif words[0] == "login" and len(words) == 3:
            steps.append(Command(line_no, "login", words[1:]))
        elif words[:3] == ["flask", "--app", "wsgi"]:
            steps.append(Command(line_no, "flask", words[3:]))
        elif re.match(r"^API=\S+$", words[0]) and len(words) == 1:
            continue
        else:
            raise AssertionError(f"docs/api.md line {line_no}: the test cannot run {stripped!r}")
    return steps


def parse_guide(text: str) -> tuple[list[Step], dict[str, str | bytes]]:
    """Every step of the guide in order, each curl holding the answer the guide shows for it."""
    blocks = fenced_blocks(text)
    lines = text.splitlines()
    steps: list[Step] = []
    files: dict[str, str | bytes] = {}
    for index, (lang, start, end, content) in enumerate(blocks):
        if lang != "bash":
            continue
        block_steps = parse_bash(start, content, files)
        shown = [step for step in block_steps if isinstance(step, Curl) and not step.discard]
        answers: list[Answer] = []
        if index + 1 < len(blocks):
            next_lang, next_start, _, next_content = blocks[index + 1]
            between = lines[end : next_start - 2]
            if next_lang in ("json", "") and not any(line.strip() for line in between):
                answers = parse_answers(next_start, next_content)
        assert len(answers) == len(shown), (
            f"docs/api.md line {start}: {len(shown)} curl command(s) but {len(answers)} answer(s) shown after them"
        )
        for curl, answer in zip(shown, answers, strict=True):
            curl.answer = answer
        steps.extend(block_steps)
    return steps, files


# --- comparing ------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def compare(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `actual` differs from the guide's `expected` (with its markers); empty when it matches."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: the guide shows an object, the API answered {_dumps(actual)}"]
        problems = []
        for key, value in expected.items():
            if key == ELLIPSIS:
                continue
            if key not in actual:
                problems.append(f"{path}.{key}: in the guide, missing from the answer")
            else:
                problems.extend(compare(value, actual[key], f"{path}.{key}"))
        if ELLIPSIS not in expected:
            problems.extend(
                f"{path}.{key}: in the answer, missing from the guide" for key in actual if key not in expected
            )
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: the guide shows an array, the API answered {_dumps(actual)}"]
        if ELLIPSIS in expected:
            cut = expected.index(ELLIPSIS)
            head, tail = expected[:cut], [item for item in expected[cut + 1 :] if item != ELLIPSIS]
            if len(actual) < len(head) + len(tail):
                return [f"{path}: the guide shows at least {len(head) + len(tail)} items, the API {len(actual)}"]
            pairs = list(zip(head, actual, strict=False)) + list(
                zip(tail, actual[len(actual) - len(tail) :], strict=False)
            )
            indexes = list(range(len(head))) + list(range(len(actual) - len(tail), len(actual)))
        else:
            if len(actual) != len(expected):
                return [f"{path}: the guide shows {len(expected)} items, the API answered {len(actual)}"]
            pairs, indexes = list(zip(expected, actual, strict=True)), list(range(len(actual)))
        problems = []
        for (want, got), index in zip(pairs, indexes, strict=True):
            problems.extend(compare(want, got, f"{path}[{index}]"))
        return problems
    if isinstance(expected, str) and isinstance(actual, str):
        if expected == ELLIPSIS:
            return []
        if expected.endswith(ELLIPSIS):
            ok = actual.startswith(expected[:-1])
        elif TIMESTAMP.match(expected):
            ok = bool(TIMESTAMP.match(actual))
        else:
            ok = actual == expected
        return [] if ok else [f"{path}: the guide shows {_dumps(expected)}, the API answered {_dumps(actual)}"]
    same_number = isinstance(expected, float) and type(actual) is int  # 0.0 in the guide, 0 answered
    if expected == actual and (type(expected) is type(actual) or same_number):
        return []
    return [f"{path}: the guide shows {_dumps(expected)}, the API answered {_dumps(actual)}"]


def text_pattern(line: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in line.split(ELLIPSIS)) + "$")


def compare_text(expected: list[str], actual: list[str]) -> list[str]:
    """Expected lines in order; a line `…` skips any number of lines."""
    position = 0
    gap = False
    for want in expected:
        if want.strip() == ELLIPSIS:
            gap = True
            continue
        pattern = text_pattern(want)
        while position < len(actual) and not pattern.match(actual[position]):
            if not gap:
                return [f"body line {position + 1}: the guide shows {want!r}, the API answered {actual[position]!r}"]
            position += 1
        if position == len(actual):
            return [f"the guide shows the line {want!r}, which the answer lacks"]
        position += 1
        gap = False
    if position < len(actual) and not gap:
        return [f"body line {position + 1}: the answer goes on with {actual[position]!r}, the guide stops"]
    return []


# --- running --------------------------------------------------------------------------------


class Session:
    """The shell session of the guide: variables, cookie jars and files, on the Flask test client."""

    def __init__(self, app: Flask, files: dict[str, str | bytes]) -> None:
        self.app = app
        self.client = app.test_client(use_cookies=False)
        self.files = files
        self.vars: dict[str, str] = {"API": ""}
        self.jars: dict[str, dict[str, str]] = {}
        self.refresh_token = ""

    def expand(self, value: str) -> str:
        value = QUERY_OF.sub(lambda m: self.vars[m.group(1)].partition("?")[2], value)
        return re.sub(r"\$\{?(\w+)\}?", lambda m: self.vars[m.group(1)], value)

    def real_token(self, key: str, url: str) -> str:
        if key == "refresh_token":
            return self.refresh_token
        kind = {
            "/api/auth/verify-email": "verify_email",
            "/api/auth/reset-password": "reset_password",
            "/api/invitations/accept": "invitation",
        }[url]
        with self.app.app_context():
            body = db.session.scalars(
                db.select(OutboxMessage.text_body).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
            ).first()
        match = re.search(r"token=([\w.\-]+)", body or "")
        assert match, f"no {kind} e-mail with a token in the outbox"
        return match.group(1)

    def body(self, curl: Curl, url: str) -> str | None:
        if curl.data is None:
            return None
        data = self.expand(curl.data)  # '{"meter_id":'$METER'}': a kept id in a body
        try:
            payload = json.loads(data)
        except ValueError:
            return data
        if isinstance(payload, dict):
            for key, value in payload.items():
                if isinstance(value, str) and value.endswith(ELLIPSIS):
                    payload[key] = self.real_token(key, url)
        return json.dumps(payload)

    def run_curl(self, curl: Curl) -> TestResponse:
        url = self.expand(curl.url)
        headers = [(name, self.expand(value)) for name, value in curl.headers]
        if curl.cookie_in:
            jar = self.jars.get(curl.cookie_in, {})
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items())))
        kwargs: dict[str, Any] = {"headers": headers}
        if curl.form_file:
            part, name = curl.form_file
            content = self.files[name]
            raw = content.encode() if isinstance(content, str) else content
            kwargs["data"] = {part: (io.BytesIO(raw), name), **dict(curl.form_fields)}
            kwargs["content_type"] = "multipart/form-data"
        else:
            kwargs["data"] = self.body(curl, url.split("?")[0])
        response = self.client.open(url, method=curl.method, **kwargs)
        if curl.cookie_out:
            jar = self.jars.setdefault(curl.cookie_out, {})
            for cookie in response.headers.getlist("Set-Cookie"):
                name, _, value = cookie.split(";")[0].partition("=")
                if value and "1970" not in cookie:
                    jar[name] = value
                else:
                    jar.pop(name, None)
        if response.is_json and isinstance(response.get_json(), dict):
            token = response.get_json().get("refresh_token")
            if isinstance(token, str):
                self.refresh_token = token
        return response

    def run_command(self, command: Command) -> None:
        if command.kind == "login":
            email, password = command.args
            response = self.client.post("/api/auth/login", json={"email": email, "password": password})
            assert response.status_code == 200, f"docs/api.md line {command.line}: login answered {response.get_json()}"
            self.vars["TOKEN"] = response.get_json()["access_token"]
        elif command.kind == "flask":
            result = self.app.test_cli_runner().invoke(args=command.args)
            assert result.exit_code == 0, f"docs/api.md line {command.line}: {result.output}"
        elif command.kind == "json-var":
            assert command.curl is not None
            name, key = command.args
            response = self.run_curl(command.curl)
            assert response.status_code < 300, f"docs/api.md line {command.line}: answered {response.get_json()}"
            self.vars[name] = str(response.get_json()[key])  # as the shell prints it
        elif command.kind == "cookie-var":
            name, cookie, jar = command.args
            self.vars[name] = self.jars[jar][cookie]


def check(curl: Curl, response: TestResponse) -> list[str]:
    answer = curl.answer
    assert answer is not None
    problems = []
    if response.status_code != answer.status:
        problems.append(f"status: the guide shows {answer.status}, the API answered {response.status_code}")
    for name, value in answer.headers:
        values = response.headers.getlist(name)
        if not any(text_pattern(value).match(got) for got in values):
            problems.append(f"header {name}: the guide shows {value!r}, the API answered {values!r}")
    text = response.get_data().decode("utf-8", "replace")  # an image's bytes too
    if answer.is_json:
        try:
            actual = json.loads(text)
        except ValueError:
            problems.append(f"the guide shows JSON, the API answered {text[:200]!r}")
        else:
            problems.extend(compare(answer.body, actual))
    elif answer.body is None:
        if text:
            problems.append(f"the guide shows no body, the API answered {text[:200]!r}")
    else:
        problems.extend(compare_text(answer.body, text.splitlines()))
    if not problems:
        return []
    shown = text if len(text) < 2000 else text[:2000] + "…"
    return [
        f"docs/api.md line {curl.line} ({curl.method} {curl.url}; answer shown at line {answer.line}):\n"
        + "\n".join(f"  - {problem}" for problem in problems)
        + f"\n  the API answered {response.status_code}: {shown}"
    ]


@pytest.fixture
def doc_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The application's clock starts at the guide's date and runs from there."""
    from app.services import clock

    started = datetime.now(UTC)

    def now() -> datetime:
        return DOC_NOW + (datetime.now(UTC) - started)

    monkeypatch.setattr(clock, "now", now)


def test_every_example_of_the_api_guide_answers_as_shown(app: Flask, doc_clock: None) -> None:
    steps, files = parse_guide(DOC.read_text(encoding="utf-8"))
    session = Session(app, files)
    problems: list[str] = []
    for step in steps:
        if isinstance(step, Command):
            session.run_command(step)
            continue
        response = session.run_curl(step)
        if step.answer is not None:
            problems.extend(check(step, response))
    assert not problems, "docs/api.md differs from the API:\n\n" + "\n\n".join(problems)


def test_the_guide_has_an_example_for_every_route(app: Flask) -> None:
    steps, _ = parse_guide(DOC.read_text(encoding="utf-8"))
    shown = {
        # ids are numbers; a shell variable in the path stands for a string parameter (a token)
        (
            step.method,
            re.sub(
                r"/\$\w+", "/<str>", re.sub(r"/\d+(?=/|$)", "/<int:id>", step.url.replace("$API", "").split("?")[0])
            ),
        )
        for step in steps
        if isinstance(step, Curl) and step.answer is not None
    }
    routes = {
        (method, re.sub(r"<\w+>", "<str>", re.sub(r"<int:\w+>", "<int:id>", rule.rule)))
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS") and not rule.rule.endswith("<path:filename>")
    }
    # The WebSocket has its own section (a Python example); the Swagger UI's pages and assets
    # are HTML, CSS and JavaScript.
    routes -= {("GET", "/ws"), ("GET", "/oauth2-redirect.html")}
    routes = {(method, rule) for method, rule in routes if not rule.startswith("/apidocs")}
    undocumented = sorted(routes - shown)
    assert undocumented == [], f"routes without an example in docs/api.md: {undocumented}"


def test_the_markers_match_what_they_say() -> None:
    expected = parse_json_with_markers('{"id":1, …,"token":"eyJ…","at":"2026-11-22T03:41:44.918702+00:00","l":[1, …]}')
    assert (
        compare(expected, {"id": 1, "x": 2, "token": "eyJabc", "at": "2027-01-01T00:00:00.000001+00:00", "l": [1, 2]})
        == []
    )
    assert compare(expected, {"id": 2, "token": "abc", "at": "2026-11-22", "l": []}) == [
        "$.id: the guide shows 1, the API answered 2",
        '$.token: the guide shows "eyJ…", the API answered "abc"',
        '$.at: the guide shows "2026-11-22T03:41:44.918702+00:00", the API answered "2026-11-22"',
        "$.l: the guide shows at least 1 items, the API 0",
    ]
    assert compare(parse_json_with_markers('{"a":{…}}'), {"a": {"b": 1}, "c": 3}) == [
        "$.c: in the answer, missing from the guide"
    ]
    assert compare_text(["a", "…", "c …"], ["a", "b", "b", "c 3.0"]) == []
    assert compare_text(["a", "c"], ["a", "b"]) == ["body line 2: the guide shows 'c', the API answered 'b'"]
