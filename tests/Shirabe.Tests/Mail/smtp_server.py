#!/usr/bin/python3
"""A real SMTP server for Shirabe's mail tests (Debian's python3-aiosmtpd; run with /usr/bin/python3).

Serves on a free loopback port and prints the port on the first line of stdout. Every accepted message is written
(atomically) as NNNNNN.eml into --folder. Recipients matching --reject get 550; those matching --tempfail get 451 the
first time and are accepted after that. Stops when stdin closes or on a signal, so a test fixture owns its lifetime.
"""
import argparse
import asyncio
import os
import re
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, folder, reject, tempfail):
        self.folder = folder
        self.reject = re.compile(reject) if reject else None
        self.tempfail = re.compile(tempfail) if tempfail else None
        self.deferred = set()
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject.search(address):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        if self.tempfail and self.tempfail.search(address) and address not in self.deferred:
            self.deferred.add(address)
            return f"451 4.7.1 <{address}>: Recipient address rejected: Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{self.count:06d}.eml"
        temp = os.path.join(self.folder, f".{name}.tmp")
        with open(temp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(temp, os.path.join(self.folder, name))
        return f"250 2.0.0 Ok: queued as {name}"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--reject", default="")
    parser.add_argument("--tempfail", default="")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    handler = Handler(args.folder, args.reject, args.tempfail)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", enable_SMTPUTF8=True), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
