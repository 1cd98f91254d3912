"""An SMTP server that refuses some recipients, to test how refusals are classified."""

from typing import Any

from aiosmtpd.controller import Controller

from tests.support.servers import SmtpServer, free_port


class _Picky:
    """Refuses ``bounce@`` mailboxes for good (550) and ``later@`` ones for now (450)."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink

    async def handle_RCPT(  # aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.startswith("bounce@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("later@"):
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return await self._sink.handle_DATA(server, session, envelope)


class PickySmtpServer(SmtpServer):
    def __init__(self) -> None:
        super().__init__()
        self._controller = Controller(_Picky(self._sink), hostname="127.0.0.1", port=free_port())
