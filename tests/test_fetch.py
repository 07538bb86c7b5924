"""Live acquisition, tested without the network."""

import io
import urllib.error
from pathlib import Path

import pytest

from eocic_helpers.core.errors import DataError
from eocic_helpers.data import fetch

FIX = Path(__file__).parent / "fixtures"


def test_offline_fails_at_once_in_one_line(monkeypatch, tmp_path):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", no_network)
    with pytest.raises(DataError) as exc:
        fetch.fetch(["lfst_r_lfe2emprt"], tmp_path)
    msg = str(exc.value)
    assert msg.startswith("no network") and "--raw DIR" in msg and "\n" not in msg
    assert list(tmp_path.iterdir()) == []


def test_download_is_parsed_and_recorded(monkeypatch, tmp_path):
    payload = (FIX / "lfst_r_lfe2emprt_sdmx.tsv.gz").read_bytes()
    monkeypatch.setattr(fetch.urllib.request, "urlopen", lambda *a, **k: io.BytesIO(payload))
    [out] = fetch.fetch(["lfst_r_lfe2emprt"], tmp_path)
    assert out.read_bytes() == payload
    log = (tmp_path / "fetched.json").read_text()
    assert "lfst_r_lfe2emprt" in log and "sha256" in log


def test_a_corrupt_download_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(fetch.urllib.request, "urlopen", lambda *a, **k: io.BytesIO(b"\x1f\x8bxx"))
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        fetch.fetch(["lfst_r_lfe2emprt"], tmp_path)
    assert not (tmp_path / "lfst_r_lfe2emprt.tsv.gz").exists()


def test_unknown_dataset():
    with pytest.raises(DataError, match="unknown dataset 'foo'"):
        fetch.fetch(["foo"])
