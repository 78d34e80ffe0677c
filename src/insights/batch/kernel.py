"""A kernel manager and client for one-shot report kernels: no fixed waits around a report.

jupyter_client is written for long-lived interactive kernels, and three of its margins cost a
batch of short reports almost half a second each, with every core idle meanwhile:

* the client's channels connect before a new kernel listens, and ZeroMQ tries again only after
  100 ms (here: 5 ms);
* after the first ``kernel_info`` reply, :meth:`wait_for_ready` drains the IOPub channel until it
  has been silent for 0.2 s;
* a graceful shutdown asks the kernel to stop, then polls every 0.1 s until it has gone.

A report kernel needs none of them.  A new kernel listens within milliseconds of its start;
nbclient matches every IOPub message to the request that caused it (by
``parent_header.msg_id``), so start-up chatter that arrives after the drain is ignored, not
mistaken for output; and once the last cell has answered, the kernel holds nothing worth a clean
exit (its history is in memory), so the runner kills it (nbclient's ``shutdown_kernel="immediate"``)
and :class:`ReportKernelManager` waits for the exit itself instead of sleeping 0.1 s first.
"""

from __future__ import annotations

import asyncio
import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type, default

#: How soon a channel tries again to reach a kernel that is not listening yet (ZeroMQ's default: 100).
RECONNECT_MILLISECONDS = 5
#: How often a killed kernel is checked for having exited (it goes within milliseconds).
EXIT_POLL_SECONDS = 0.002


class ReportKernelClient(AsyncKernelClient):
    """An async kernel client whose readiness check does not idle once the kernel has answered."""

    @default("context")
    def _report_context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MILLISECONDS)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel answers ``kernel_info`` and IOPub is connected.

        The same handshake as :meth:`jupyter_client.client.KernelClient.wait_for_ready` (resend
        until a reply arrives together with an IOPub message, which proves the IOPub subscription
        is live), minus the final 0.2 s of listening for silence on IOPub: what is queued is
        drained without waiting.
        """
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while await self.iopub_channel.msg_ready():
            await self.iopub_channel.get_msg(timeout=0)


class ReportKernelManager(AsyncKernelManager):
    """An async kernel manager whose kill returns as soon as the kernel has exited."""

    client_class = DottedObjectName("insights.batch.kernel.ReportKernelClient", config=True)
    client_factory = Type(ReportKernelClient, klass=AsyncKernelClient, config=True)

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        if not self.has_kernel:
            return
        assert self.provisioner is not None
        await self.provisioner.kill(restart=restart)
        deadline = time.monotonic() + 5.0
        while await self.provisioner.poll() is None:
            if time.monotonic() > deadline:
                self.log.warning("a killed report kernel is still running; continuing")
                return
            await asyncio.sleep(EXIT_POLL_SECONDS)
        await self.provisioner.wait()
