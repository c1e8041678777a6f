"""The kernel's lifecycle on the pairing screen: restart, input() prompts, missing packages.

f12 restarts the kernel after a dialog that names what is lost; the service
closes the session and makes a new one, and the screen follows the mirror's
"moved" to it, told once (by the restart, not again by the move). A snippet or
cell operation still running on the closed session ends with it (its block
says so; marimo would never answer it). A cell or
snippet that waits on `input()` opens a prompt; esc leaves it waiting (the
status line says so; ctrl+r opens the prompt again, ctrl+t interrupts). A
run that could not import a package offers to install it, once per set of
names.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable

from ....core.api import PairError
from ....core.api import Changes, OpResult
from ...display import Display
from ..confirm_packages import ConfirmPackagesScreen
from ..confirm_restart import ConfirmRestartScreen
from ..prompt import PromptScreen
from .link import Operations

Push = Callable[..., object]  # open a dialog (app.push_screen): its answer goes to the callback

MOVE_GRACE = 30.0  # seconds after a restart in which the mirror's move to the new session is not told again


class KernelCommands:
    """Restart (f12), answer input() prompts, install missing packages."""

    def __init__(self, ops: Operations, fmt: Display, set_timer: Callable[[float, Callable[[], None]], object], *,
                 push: Push, on_top: Callable[[], bool], on_waiting: Callable[[str | None], None],
                 on_pdb: Callable[[str], bool] | None = None) -> None:
        self.link, self.runner, self.notify = ops.link, ops.runner, ops.notify
        self.run_worker, self.ask = ops.run_worker, ops.ask
        self.fmt = fmt
        self.set_timer = set_timer
        self.push = push
        self.on_top = on_top  # no other dialog is open over the screen
        self.on_waiting = on_waiting  # hears what waits for input (the status line's note)
        self.on_pdb = on_pdb  # a cell waits on pdb: opens the debugger on it (True) instead of the prompt
        self.restarting = False
        self.restarted_to: str | None = None  # the new session's selector until the mirror moved to it
        self._asked: set[tuple[str, int]] = set()  # prompts shown (cell id, console length)
        self.prompting = False  # the prompt dialog is open
        self._prompt: tuple[tuple[str, int], PromptScreen] | None = None  # the open prompt: its key and dialog
        self._withdrawn = False  # the open prompt's input() ended elsewhere (answered, interrupted)
        self._offered: set[tuple[str, ...]] = set()  # sets of missing packages offered
        self.offering = False
        self._pending: tuple[str, ...] = ()  # names to offer once no other dialog is open

    # -- restart ----------------------------------------------------------------------

    def restart(self) -> None:
        if self.restarting:
            self.notify("The kernel is already restarting.", severity="warning")
            return
        self.run_worker(self._restart(), group="restart", exclusive=True)

    @property
    def expecting_move(self) -> bool:
        """A restart of ours is under way or done and the mirror has not told its move yet."""
        return self.restarting or self.restarted_to is not None

    def moved(self) -> bool:
        """The mirror followed a session: True when it was our restart's (told already)."""
        if not self.expecting_move:
            return False
        self.restarted_to = None
        return True

    async def _restart(self) -> None:
        link, runner = self.link, self.runner
        notebook = link.notebook()
        name = link.target().notebook.rsplit("/", 1)[-1] or "(unsaved)"
        confirmed = await self.ask(
            ConfirmRestartScreen(name, len(notebook.declarations), len(notebook.waiting_for_input())))
        if not confirmed:
            return
        self.restarting = True
        doomed = runner.waiting()  # sent to the session the restart closes: never answered
        block = runner.start("restart", "kernel")
        began = time.monotonic()
        try:
            reply = await link.service.restart(link.target())
        except Exception as error:
            self.restarting = False
            runner.fail(block, error, began)
            return
        new = reply.value
        if link.target().session.selector == new.session.selector:
            self.restarted_to = None  # the screen has followed the move already (told it as ours)
        else:  # its "moved" is still to come (the mirror may be there, its message still queued)
            self.restarted_to = new.session.selector
            self.set_timer(MOVE_GRACE, lambda: self._give_up_move(new.session.selector))
        self.restarting = False
        self._asked.clear()
        runner.abandon(doomed, "ended: the kernel restarted, and its session with it")
        shown = self.fmt.session(new.session.selector)
        block.line(f"new session {shown}; the kernel's memory is empty, the editor text is kept", "dim")
        block.finish(True, runner.summary("restarted", began))
        self.notify(f"Kernel restarted: now following the new session {shown}. Its memory is empty; "
                      "the notebook file and the editor text are kept.", title="Kernel restarted", timeout=8)

    def _give_up_move(self, selector: str) -> None:
        """The mirror never told the move to our restart's session: its trouble is told again from now."""
        if self.restarted_to == selector:
            self.restarted_to = None

    # -- input() ----------------------------------------------------------------------

    def model_changed(self, changes: Changes) -> None:
        if changes.kernel or changes.cell_ids or changes.scratch:
            self._withdraw_ended_prompt()
            self.check_prompts()
            self.check_packages([*self._pending, *self.link.notebook().missing_packages])
        self.on_waiting(self.status_note())

    def waiting(self) -> list[tuple[str, str, tuple[str, int]]]:
        """What waits for input: (cell label, prompt, key)."""
        notebook = self.link.notebook()
        return [("snippet" if cell is notebook.scratch else cell.label, prompt, (cell.id, len(cell.console)))
                for cell, prompt in notebook.waiting_for_input()]

    def check_prompts(self, *, again: bool = False) -> bool:
        """Open the prompt for the first input() waiting that was not shown yet (`again`: even if it was)."""
        if self.prompting:
            return True
        if not self.on_top() and not again:
            return False  # another dialog is open: the next model change asks again
        for label, prompt, key in self.waiting():
            if key in self._asked and not again:
                continue
            self._asked.add(key)
            if self.on_pdb is not None and self.on_pdb(key[0]):
                return True  # pdb's prompt: the debugger console answers it
            self.prompting = True
            dialog = PromptScreen(label, prompt)
            self._prompt = (key, dialog)
            self.push(dialog, self._answered)
            return True
        return False

    def _withdraw_ended_prompt(self) -> None:
        """Close the prompt whose input() no longer waits (answered from elsewhere, or interrupted)."""
        if self._prompt is None:
            return
        key, dialog = self._prompt
        if any(k == key for _label, _prompt, k in self.waiting()):
            return
        self._withdrawn = True
        dialog.dismiss(None)

    def _answered(self, text: str | None) -> None:
        self.prompting = False
        self._prompt = None
        if self._withdrawn:
            self._withdrawn = False
            self.on_waiting(self.status_note())
            return
        if text is None:
            self.notify("The input() still waits: ctrl+r opens its prompt again, ctrl+t interrupts.",
                        severity="warning", timeout=6)
            self.on_waiting(self.status_note())
            return
        self.run_worker(self._answer(text), group="answer")

    async def _answer(self, text: str) -> None:
        try:
            await self.link.service.answer(self.link.target(), text)
        except PairError as error:
            self.notify(f"{error.message} {error.next}".strip(), title="Not answered", severity="warning", timeout=8)
            return
        self.on_waiting(self.status_note())
        self.check_prompts()  # the next input() may be waiting already

    def status_note(self) -> str | None:
        """For the status line: what waits for input, while no prompt is open."""
        waiting = self.waiting()
        if not waiting or self.prompting:
            return None
        return f"{waiting[0][0]} waits for input()"

    # -- missing packages -----------------------------------------------------------

    def check_result(self, result: OpResult) -> None:
        missing = result.extra.get("missing_packages")
        if isinstance(missing, list):
            self.check_packages([str(m) for m in missing])

    def check_packages(self, names: Iterable[str]) -> None:
        wanted = tuple(sorted(set(names)))
        if not wanted or wanted in self._offered or self.offering:
            return
        if not self.on_top():
            self._pending = wanted  # another dialog is open: offered at the next model change
            return
        self._pending = ()
        self._offered.add(wanted)
        self.offering = True
        self.push(ConfirmPackagesScreen(list(wanted)), lambda yes: self._install(wanted, yes))

    def _install(self, names: tuple[str, ...], yes: bool | None) -> None:
        self.offering = False
        if not yes:
            self.notify(f"Not installed: {', '.join(names)}. The cells that import them fail until they are "
                        "(`marimo-pair-tui --headless packages add NAME`).", timeout=8)
            return
        self.run_worker(self._add(names), group="packages")

    async def _add(self, names: tuple[str, ...]) -> None:
        link = self.link
        result, block = await self.runner.cell_op(
            "install", ", ".join(names), lambda: link.service.add_packages(link.target(), list(names)),
            kernel_busy=link.kernel_busy())
        if result is None:
            return
        outcomes = result.extra.get("packages")
        failed: list[str] = []
        for item in outcomes if isinstance(outcomes, list) else ():
            if isinstance(item, dict):
                ok = item.get("outcome") in ("installed", "ok", "already installed")
                block.line(f"{item.get('name')}: {item.get('outcome')}", "green" if ok else "bold red")
                if not ok:
                    failed.append(str(item.get("name")))
        if failed or not result.success:
            self.notify(f"Could not install {', '.join(failed or names)}; the results pane says why.",
                          title="Install failed", severity="error", timeout=10)
        else:
            self.notify(f"Installed {', '.join(names)}. Run the cells that import them again (ctrl+g).",
                          title="Installed", timeout=8)
