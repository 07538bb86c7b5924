"""The suite's one Dask run, as a process of its own (``python tests/support/dask_study.py``).

On one ``distributed.LocalCluster`` (two worker processes with two threads each, so each
worker runs two tasks at a time in kernels of their own): the atlas pages of the shared
build's sample with the EU-wide step, then every pilot region, the after-region and the
cross-region notebooks. Midway through the study a worker is killed while it runs a notebook.

It runs in a process of its own so that the session can start it in the background as soon
as the shared study is built (``tests/conftest.py``), beside the tests that read the
editions, under the environment it is given (``EOCIC_BUILD`` and another ``PYTHONHASHSEED``
for the client, the workers and their kernels) without changing the test process's. It
asserts nothing: it writes what happened as JSON, and
``tests/test_scale.py::test_the_study_and_the_atlas_on_one_local_cluster_are_byte_identical_under_another_seed``
checks it.

Usage: ``dask_study.py REPORT_JSON ATLAS_REGION...`` with ``EOCIC_BUILD`` set.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed

EOCIC = [sys.executable, "-m", "eocic_helpers.cli"]


def main(report: Path, atlas: list[str]) -> None:
    build = Path(os.environ["EOCIC_BUILD"])
    env = dict(os.environ)
    outcome: dict[str, object] = {}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = ["--executor", "dask", "--scheduler", cluster.scheduler_address, "--quiet"]
        atlas_run = subprocess.run([*EOCIC, "run", "-n", "atlas", *atlas, *dask],
                                   capture_output=True, text=True, env=env)
        outcome["atlas"] = {"returncode": atlas_run.returncode, "err": atlas_run.stderr}
        if atlas_run.returncode != 0:
            report.write_text(json.dumps(outcome))
            return
        run = subprocess.Popen([*EOCIC, "run", *dask], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
        try:
            # wait for a task that runs several seconds (indicators) to be inside its notebook
            staging = build / "runs" / ".staging"
            deadline = time.monotonic() + 180
            while not list(staging.glob("*--indicators-*/*")) and time.monotonic() < deadline:
                if run.poll() is not None:
                    break
                time.sleep(0.2)
            time.sleep(1.5)
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                killed = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(killed, signal.SIGKILL)
                outcome["killed"] = killed
            out, err = run.communicate(timeout=600)
        finally:
            run.kill()
        client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed one
        outcome.update(restarted=list(client.run(os.getpid).values()),
                       returncode=run.returncode, out=out, err=err)
    report.write_text(json.dumps(outcome))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
