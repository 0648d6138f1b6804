"""A real SMTP server for tests and the benchmark (aiosmtpd on a free loopback port) that keeps
what it is sent, optionally slowly, or refusing some recipients."""

import asyncio
import contextlib
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """Keeps each accepted message. `delay`: seconds to wait before answering each message's
    DATA (the message counts as received first, as a real server would have it on disk).
    `refuse`: {address: "550 ..." or "451 ..."} answers to RCPT for those addresses.
    `hang_up`: addresses whose message is received and then the connection dropped with no
    answer (did it arrive? the sender cannot know).
    `keep`: False to count messages without keeping them (the benchmark)."""

    def __init__(self, delay=0.0, refuse=None, hang_up=(), keep=True):
        self.delay = delay
        self.refuse = dict(refuse or {})
        self.hang_up = set(hang_up)
        self.keep = keep
        self.messages = []
        self.count = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.count += 1
            if self.keep:
                self.messages.append(
                    (
                        list(envelope.rcpt_tos),
                        message_from_bytes(envelope.content, policy=policy.default),
                    )
                )
        if self.hang_up & set(envelope.rcpt_tos):
            server.transport.close()
            return "421 Closing"  # never reaches the client: the connection is gone
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def to(self, address):
        """The messages received for `address`."""
        with self._lock:
            return [message for rcpt, message in self.messages if address in rcpt]

    def recipients(self):
        with self._lock:
            return [address for rcpt, _ in self.messages for address in rcpt]

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.count} messages arrived, not {count}, within {timeout}s")


@contextlib.contextmanager
def smtp_sink(**kwargs):
    """A running Sink; yields (sink, port)."""
    sink = Sink(**kwargs)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
