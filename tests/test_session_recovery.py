"""Lost sessions are recovered: a kernel restarted by another client, a server restarted on its port.

Real servers and real websocket "browsers"; the service (one place for every door) finds the
notebook's new session, moves its live mirror there and says so once ("moved").
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from marimo_pair_tui.core.service.values import TargetSpec
from marimo_pair_tui.core.service.pairing_service import PairingService, Mirror
from tests.clihelp import cli_env, start_cli
from tests.support.waiting import wait_until, wait_until_async
from tests.test_one_truth import browser_post

DEADLINE = 40.0


def record(pairing: Mirror) -> list[tuple[str, str]]:
    states: list[tuple[str, str]] = []
    pairing.subscribe(on_state=lambda state, detail: states.append((state, detail)))
    return states


def test_kernel_restart_without_a_browser_waits_then_follows_the_new_session(demo_server, browser_factory) -> None:
    browser = browser_factory(demo_server)

    async def main() -> None:
        async with PairingService() as service:
            spec = TargetSpec(notebook=str(browser.notebook), url=demo_server.url)
            reply = await service.mirror(spec)
            pairing, old = reply.value, reply.value.target
            assert old.session.session_id == browser.session_id
            states = record(pairing)
            browser_post(browser, "/api/kernel/restart_session", {})
            await wait_until_async(lambda: pairing.live_state == "gone", DEADLINE, "the mirror to find the session gone")
            # Nobody made a new session, and the service does not make one either.
            assert demo_server.sessions() == {}
            assert ("live", "") not in states, f"a dead session was reported live: {states}"

            reloaded = browser_factory(demo_server)  # the browser tab reloads: a new session
            await wait_until_async(lambda: pairing.target.session.session_id == reloaded.session_id
                                   and pairing.live_state == "live", DEADLINE, "the mirror to follow the new session")
            moved = [d for s, d in states if s == "moved"]
            assert len(moved) == 1 and reloaded.session_id in moved[0] and str(old.session.session_id) in moved[0]
            # The new kernel-ready replaced the model: every cell once, consoles not doubled.
            assert len(pairing.notebook.cell_ids) == len(set(pairing.notebook.cell_ids)) == len(reloaded.cell_ids)
            assert pairing.notebook.stable_session_id == reloaded.session_id

            # An operation on the old target (the app holds one) reaches the new session once.
            ran = await service.execute(old, "print('after the restart')")
            assert ran.value.success and ran.value.stdout == "after the restart\n"
            assert ran.target is not None and ran.target.session.session_id == reloaded.session_id
            # A named target remembered before the restart resolves to the new session.
            assert (await service.resolve(spec)).value.session.session_id == reloaded.session_id

    asyncio.run(main())


def test_an_operation_after_a_restart_finds_the_new_session(demo_server, browser_factory) -> None:
    """No mirror: a 404 (nothing ran) on a remembered session is sent once to the notebook's new one."""
    browser = browser_factory(demo_server)

    async def main() -> None:
        async with PairingService() as service:
            target = (await service.resolve(TargetSpec(notebook=str(browser.notebook), url=demo_server.url))).value
            browser_post(browser, "/api/kernel/restart_session", {})
            reloaded = browser_factory(demo_server)
            ran = await service.execute(target, "print(40 + 2)")
            assert ran.value.stdout == "42\n" and ran.target is not None
            assert ran.target.session.session_id == reloaded.session_id

    asyncio.run(main())


def test_a_server_restarted_on_its_port_is_followed(marimo_factory, notebooks_dir, browser_factory) -> None:
    notebook = notebooks_dir / "demo.py"
    first = marimo_factory(notebook)
    browser = browser_factory(first)

    async def main() -> None:
        async with PairingService() as service:
            spec = TargetSpec(notebook=str(notebook), url=first.url)
            pairing = (await service.mirror(spec)).value
            old = pairing.target
            states = record(pairing)
            browser.close()
            first.kill()
            await wait_until_async(lambda: pairing.live_state == "reconnecting", DEADLINE, "the stream to notice the server died")
            second = await asyncio.to_thread(marimo_factory, notebook, port=first.port)
            assert second.url == first.url
            reloaded = await asyncio.to_thread(browser_factory, second)
            await wait_until_async(lambda: pairing.target.session.session_id == reloaded.session_id
                                   and pairing.live_state == "live", DEADLINE, "the mirror to follow the restarted server's session")
            assert [s for s, _ in states].count("moved") == 1
            ran = await service.execute(old, "print('back')")
            assert ran.value.stdout == "back\n"

    asyncio.run(main())


def test_several_new_sessions_are_reported_not_guessed() -> None:
    """marimo gives a file a second session only in rare cases, so the lookup is stubbed here."""
    from marimo_pair_tui.core.wire.discovery import ServerInfo
    from marimo_pair_tui.core.errors import AmbiguousTargetError
    from marimo_pair_tui.core.wire.sessions import SessionRef, Target

    server = ServerInfo(url="http://127.0.0.1:9", host="127.0.0.1", port=9, source="url")
    old, one, two = (Target(server=server, notebook="/nb/demo.py", session=SessionRef(f"sess-{n}", f"s_{n}"))
                     for n in ("old", "one", "two"))

    async def main() -> None:
        async with PairingService() as service:
            async def successors(lost: Target) -> list[Target]:
                assert lost is old
                return [one, two]

            recovery = service.recovery
            recovery.successors = successors  # type: ignore[method-assign]
            try:
                await recovery.successor(old)  # what an operation's 404 asks
            except AmbiguousTargetError as error:
                assert {c["session_id"] for c in error.details["candidates"]} == {"sess-one", "sess-two"}
            else:
                raise AssertionError("a session was guessed")
            pairing = Mirror(service.hub, old)
            pairing.on_lost = recovery.lost
            states = record(pairing)
            recovery.lost(pairing, "gone")  # what the mirror says when its session ends
            await wait_until_async(lambda: pairing.live_state == "ambiguous", DEADLINE, "the candidates to be reported")
            assert pairing.target is old and pairing.candidates == [one, two]
            assert [s for s, _ in states] == ["ambiguous"] and "sess-one" in states[0][1]

    asyncio.run(main())


def _read_lines(proc: Any, lines: list[dict[str, Any]]) -> None:
    for raw in proc.stdout:
        if raw.strip():
            lines.append(json.loads(raw))


def test_watch_follow_moves_with_the_notebook_and_plain_watch_ends(demo_server, browser_factory, state_home) -> None:
    import threading

    browser = browser_factory(demo_server)
    env = cli_env(state_home)
    follower = start_cli(["watch", "--follow", "--url", demo_server.url, "--notebook", str(browser.notebook),
                          "--timeout", "90"], env=env)
    plain = start_cli(["watch", "--url", demo_server.url, "--notebook", str(browser.notebook), "--timeout", "90"],
                      env=env)
    followed: list[dict[str, Any]] = []
    watched: list[dict[str, Any]] = []
    readers = [threading.Thread(target=_read_lines, args=(p, out), daemon=True)
               for p, out in ((follower, followed), (plain, watched))]
    for reader in readers:
        reader.start()
    try:
        wait_until(lambda: any(line.get("live") == "live" for line in followed)
                   and any(line.get("live") == "live" for line in watched), DEADLINE,
                   "both watches to be live", detail=lambda: (followed, watched))
        browser_post(browser, "/api/kernel/restart_session", {})
        assert plain.wait(timeout=DEADLINE) == 3
        reloaded = browser_factory(demo_server)

        def moved_line() -> bool:
            assert follower.poll() is None, f"the follower ended: {followed}"
            return any("moved" in line for line in followed)

        wait_until(moved_line, DEADLINE, "the follower to say it moved", detail=lambda: followed)
        moved = next(line["moved"] for line in followed if "moved" in line)
        assert moved["session"]["session_id"] == reloaded.session_id
        assert moved["from"]["session_id"] == browser.session_id
        assert follower.poll() is None  # still following
    finally:
        for proc in (follower, plain):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=5)
    assert watched[-1]["reason"] == "gone" and watched[-1]["success"] is False
