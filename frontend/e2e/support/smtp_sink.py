"""An SMTP server for the browser tests: each message is written to DIRECTORY as a JSON file.

Usage: python smtp_sink.py DIRECTORY PORT
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import sys
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        record = {
            "to": list(envelope.rcpt_tos),
            "subject": str(message["Subject"]),
            "text": text.get_content() if text is not None else "",
        }
        number = next(self.counter)
        partial = self.directory / f".{number}.json"
        partial.write_text(json.dumps(record), encoding="utf-8")
        partial.rename(self.directory / f"{number:04d}.json")
        return "250 OK"


def main() -> None:
    directory = Path(sys.argv[1])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=int(sys.argv[2]))
    controller.start()
    print("smtp sink ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
