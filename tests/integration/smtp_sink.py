"""A local SMTP server (aiosmtpd) that records what arrives and can keep senders waiting."""

import asyncio
import logging
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; thousands of lines hide what matters and cost time.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self.sink._wait_while_held()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content)
        self.sink._record(message["Message-ID"], envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmtpSink:
    """Listens on 127.0.0.1:`port` while up; refuses connections while down (nothing listens).

    `received` lists (Message-ID, recipient) for every message accepted, duplicates included.
    `hold_after(n)`: once n messages have arrived, each new sender is left waiting for the reply to
    its RCPT command, before any of its message is sent, until `release()`.
    """

    def __init__(self, port: int):
        self.port = port
        self._lock = threading.Lock()
        self._received: list[tuple[str, str]] = []
        self._hold_after: int | None = None
        self._holding = threading.Event()
        self._held = 0
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    @property
    def held(self) -> int:
        """How many senders are waiting on a held RCPT right now."""
        with self._lock:
            return self._held

    def hold_after(self, count: int) -> None:
        with self._lock:
            self._hold_after = count
            if len(self._received) >= count:
                self._holding.set()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
            self._holding.clear()

    def _record(self, message_id: str, recipients: list[str]) -> None:
        with self._lock:
            self._received.extend((message_id, recipient) for recipient in recipients)
            if self._hold_after is not None and len(self._received) >= self._hold_after:
                self._holding.set()

    async def _wait_while_held(self) -> None:
        if not self._holding.is_set():
            return
        with self._lock:
            self._held += 1
        try:
            while self._holding.is_set():
                await asyncio.sleep(0.01)
        finally:
            with self._lock:
                self._held -= 1
