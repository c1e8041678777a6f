"""The live stream dropped under us (a real marimo server behind a relay that cuts every connection).

The mirror reconnects, takes marimo's replay and resyncs: what changed while
it was away is there, and nothing is doubled (console, outputs, activity).
"""

from __future__ import annotations

from marimo_pair_tui.core.service.values import TargetSpec
from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService
from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.tcp_relay import TcpRelay
from tests.support.waiting import wait_until_async


async def test_a_dropped_stream_resyncs_without_doubling_anything(lab: CellLab) -> None:
    path, browser = lab.fresh()
    relay = TcpRelay(lab.server.port)
    try:
        async with PairingService(HubOptions(urls=[relay.url])) as service:
            spec = TargetSpec(notebook=str(path), url=relay.url)
            pairing = (await service.mirror(spec)).value
            states: list[str] = []
            pairing.subscribe(on_state=lambda state, detail: states.append(state))
            printer = next(c for c in pairing.notebook.cells if "print" in c.code)
            await wait_until_async(lambda: printer.console_text() == "y is 42\n", 40, "the print cell's console")
            ran = await service.execute(spec, "print('before the drop')")
            assert ran.value.stdout == "before the drop\n"
            entries = len(pairing.notebook.activity)

            assert relay.cut() >= 1
            # while the stream is down, another client changes the notebook (straight to the server)
            edited = run_cli(["edit", printer.id, "--force", "--run", "-c", "y = x + 1\nprint('y now', y)",
                              "--url", lab.server.url, "--session", browser.session_id or ""],
                             env=cli_env(lab.server.state_home))
            assert edited.code == 0, edited.stdout
            await wait_until_async(lambda: "reconnecting" in states and pairing.live_state == "live", 40, "the reconnection")
            fresh = pairing.notebook.get(printer.id)
            assert fresh is not None
            await wait_until_async(lambda: fresh.console_text() == "y now 42\n", 40, "the change made while the stream was down")
            assert fresh.code == "y = x + 1\nprint('y now', y)"
            assert [c.console_text() for c in pairing.notebook.cells].count("y now 42\n") == 1
            assert len(pairing.notebook.activity) >= entries  # history kept
            assert sum(1 for e in pairing.notebook.activity if e.code == "print('before the drop')") == 1
            again = await service.execute(spec, "print('after the drop')")
            assert again.value.stdout == "after the drop\n"
    finally:
        relay.close()
