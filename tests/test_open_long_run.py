"""`open --run` on a notebook whose run outlasts the wait: the session is returned, the run goes on.

Before, a run longer than the wait was an error, and a server `open` had
started for it was stopped with the run half-done. Now the document names the
cells still running, the server stays, the run is neither stopped nor sent
again, and `watch --until-idle` (the `next` the document gives) follows it.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.clihelp import cli_env, run_cli
from tests.test_open_close import no_server_left  # noqa: F401 - the fixture: what `open` started is stopped

SLOW = '''import marimo

app = marimo.App()


@app.cell
def slow():
    import pathlib
    import time

    here = pathlib.Path(__file__).parent
    with open(here / "runs.txt", "a") as runs:
        runs.write("run\\n")
    while not (here / "go").exists():
        time.sleep(0.05)
    done = "finished"
    return (done,)


@app.cell
def after(done):
    tail = done + "!"
    return (tail,)


if __name__ == "__main__":
    app.run()
'''


def test_a_run_past_the_wait_returns_the_session_and_goes_on(tmp_path: Path, state_home: Path,
                                                             no_server_left: None) -> None:
    notebook = tmp_path / "slow.py"
    notebook.write_text(SLOW, encoding="utf-8")
    env = cli_env(state_home)
    opened = run_cli(["open", "--run", "--run-wait", "1", str(notebook)], env=env)
    assert opened.code == 0, opened.stdout + opened.stderr
    doc = opened.json
    assert doc["started_server"] is True and doc["ran_cells"] is False
    assert doc["still_running"] == ["slow", "after"]
    flags = ["--url", doc["session"]["server"], "--session", doc["session"]["session_id"]]
    status = run_cli(["status", *flags], env=env)  # the server `open` started is still there, the cell runs
    assert status.code == 0, status.stdout + status.stderr
    assert status.json["kernel"]["idle"] is False

    (tmp_path / "go").write_text("")
    command = shlex.split(doc["next"].split("`")[1])
    assert command[:3] == ["marimo-pair-tui", "--headless", "watch"]
    watched = run_cli([*command[2:], "--timeout", "60"], env=env)
    assert watched.code == 0, watched.stdout + watched.stderr
    read = run_cli(["exec", "-c", "print(tail)", *flags], env=env)
    assert read.json["stdout"] == "finished!\n"  # the kernel ran both cells to the end
    assert (tmp_path / "runs.txt").read_text() == "run\n"  # once: nothing was sent again


def test_a_restart_whose_run_outlasts_the_wait_says_so_and_the_run_goes_on(tmp_path: Path, state_home: Path,
                                                                           marimo_factory) -> None:
    notebook = tmp_path / "slow.py"
    notebook.write_text(SLOW, encoding="utf-8")
    (tmp_path / "go").write_text("")  # the first run goes straight through
    env = cli_env(state_home)
    server = marimo_factory(notebook)
    opened = run_cli(["open", "--run", str(notebook)], env=env)
    assert opened.code == 0 and opened.json["ran_cells"] is True, opened.stdout + opened.stderr
    (tmp_path / "go").unlink()
    flags = ["--url", server.url, "--session", opened.json["session"]["session_id"]]
    restarted = run_cli(["restart", "--run", "--run-wait", "1", *flags], env=env)
    assert restarted.code == 0, restarted.stdout + restarted.stderr
    assert any("run goes on (2 cells queued or running: slow, after)" in w for w in restarted.json["warnings"])
    new = ["--url", server.url, "--session", restarted.json["session"]["session_id"]]
    (tmp_path / "go").write_text("")
    watched = run_cli(["watch", "--until-idle", "--timeout", "60", *new], env=env)
    assert watched.code == 0, watched.stdout + watched.stderr
    assert run_cli(["exec", "-c", "print(tail)", *new], env=env).json["stdout"] == "finished!\n"
    assert (tmp_path / "runs.txt").read_text() == "run\nrun\n"  # the first session's run and the new one's
