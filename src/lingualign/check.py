"""check: every section of params.yaml (and a profile overlay) validated in one pass, before any stage runs.

``dvc repro`` deletes a stage's outputs before it starts the stage's command, so a params typo
found by the stage itself costs its outputs. The ``check`` stage comes first in ``dvc.yaml``:
it depends on the whole params file and every stage depends on what it writes, so a bad params
file stops the run at ``check``, with every problem listed, while every output is still in place.
What it writes is the list of sections it validated, the same for any valid params, so a
params change reruns only the stages that read the changed keys. ``make repro`` runs
``lingualign check --tracking`` first, which also asks the tracking server
(``MLFLOW_TRACKING_URI``) whether it answers, before DVC removes anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lingualign.profiles import PROFILES, SECTIONS, apply_profile, validate
from lingualign.settings import read_params

PARAMS: tuple[str, ...] = ()  # no keys: dvc.yaml tracks the whole params file (``params.yaml:``)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="validate with profiles/<name>.yaml applied (nothing is written)")
    parser.add_argument("--profiles", type=Path, default=PROFILES)
    parser.add_argument("--out", type=Path, help="write the validated sections here (the DVC stage's output)")
    parser.add_argument(
        "--tracking", action="store_true", help="also check that MLFLOW_TRACKING_URI's server answers (make repro)"
    )


def main(args: argparse.Namespace) -> None:
    from lingualign.io import write_json
    from lingualign.tracking import require_tracking_server, tracking_uri

    if args.profile:
        apply_profile(args.profile, args.params, args.profiles, write=False)
    else:
        validate(read_params(args.params), str(args.params))
    if args.tracking:
        require_tracking_server(tracking_uri())
    if args.out:
        write_json(args.out, {"valid": True, "sections": sorted(SECTIONS)})
    overlay = f" with profile '{args.profile}'" if args.profile else ""
    print(f"{args.params}{overlay}: every section validates ({len(SECTIONS)} sections)")
