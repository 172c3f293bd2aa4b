"""``lingualign remote``: whether the DVC remote takes this clone's credentials, in one line.

``make push`` and ``make pull`` run it first. DVC itself reports a wrong or missing S3
credential in a form that depends on the command: ``dvc pull`` names the remote's path
(``failed to connect to s3 (...) - Forbidden``), while ``dvc push`` and either command with
``--run-cache`` print ``unexpected error - Forbidden: ... (403)`` or ``unexpected error - Unable
to locate credentials`` with no remote named (docs/operations.md shows each).
"""

from __future__ import annotations

import argparse

from lingualign.errors import LingualignError

KEYS = {"s3": "access_key_id and secret_access_key", "gs": "credentialpath", "azure": "account_name and account_key"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--remote", help="a DVC remote's name; default: the project's default remote")


def main(args: argparse.Namespace) -> None:
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    with Repo(".") as repo:
        try:
            remote = repo.cloud.get_remote(args.remote)
        except DvcException as exc:
            raise LingualignError(f"DVC remote: {exc}") from None
        config = repo.config["remote"].get(remote.name, {})
        url = config.get("url", remote.path)
        endpoint = f" at {config['endpointurl']}" if config.get("endpointurl") else ""
        try:
            remote.fs.exists(remote.path)
        except Exception as exc:  # noqa: BLE001 - any failure to reach it (botocore's, s3fs's, OS) is the answer
            problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            keys = KEYS.get(url.split("://")[0], "its credentials")
            raise LingualignError(
                f"DVC remote '{remote.name}' ({url}{endpoint}): {problem}; check {keys} in .dvc/config.local "
                f"(dvc remote modify --local {remote.name} ...) and the endpoint"
            ) from None
    print(f"DVC remote '{remote.name}' ({url}{endpoint}): reachable with this clone's credentials")
