"""Fixtures for the Terraform runner tests: a moto S3 server and small synthesized apps."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

ACCESS = {"access_key": "test", "secret_key": "test"}


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )

    def new_bucket(self) -> str:
        name = f"state-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def state(self, bucket: str, key: str) -> dict[str, Any]:
        body = self.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        return json.loads(body)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A moto server on a free 127.0.0.1 port, up for the whole session."""
    server = Path(sys.executable).parent / "moto_server"
    if not server.exists():
        pytest.fail(f"moto_server not found next to {sys.executable}; install moto[server]")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    endpoint = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"moto_server exited early: {log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(endpoint + "/", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # it answered
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not answer on {endpoint}")
                time.sleep(0.1)
        yield S3Server(endpoint)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def s3_backend(stack: Any, server: S3Server, bucket: str, key: str) -> None:
    from mlplat import engine

    engine.s3_backend(
        stack,
        bucket=bucket,
        key=key,
        region="us-east-1",
        use_lockfile=True,
        endpoint=server.endpoint,
        use_path_style=True,
        skip_credentials_validation=True,
        skip_requesting_account_id=True,
        skip_metadata_api_check=True,
        skip_region_validation=True,
        **ACCESS,
    )
