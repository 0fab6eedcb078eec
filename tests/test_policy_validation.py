"""`archive-sim validate` on policy documents: AWS's examples pass; AWS's own rejections are
reported with the rule ID and the field, exit 2, no traceback."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO
from tests.test_cli import cli

POLICIES = REPO / "tests" / "policies"


@pytest.mark.parametrize("name", ["aws-example-expire-and-glacier.json",
                                  "aws-example-tags-and-size.json", "aws-example.xml"])
def test_aws_examples_are_accepted(name):
    result = cli("validate", POLICIES / name)
    assert result.returncode == 0, result.stderr
    assert "valid S3 Lifecycle configuration" in result.stdout


def test_bundled_policies_are_accepted():
    for path in sorted((REPO / "scenarios" / "policies").iterdir()):
        result = cli("validate", path)
        assert result.returncode == 0, (path, result.stderr)


def _rule(**body):
    return {"Rules": [{"ID": "bad-rule", "Status": "Enabled", "Filter": {}, **body}]}


REJECTED = [
    ("10-day STANDARD_IA", _rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}]),
     "rule 'bad-rule' Transitions[0] Days: got 10; objects must be stored at least 30 days "
     "before a transition to STANDARD_IA"),
    ("IT to STANDARD_IA", _rule(Transitions=[{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"},
                                             {"Days": 60, "StorageClass": "STANDARD_IA"}]),
     "rule 'bad-rule': a transition from INTELLIGENT_TIERING to STANDARD_IA is not allowed"),
    ("Days and Date", _rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}],
                            Expiration={"Date": "2030-01-01T00:00:00Z"}),
     "rule 'bad-rule': mixes Days and Date"),
    ("unknown class", _rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER_DEEP"}]),
     "rule 'bad-rule' Transitions[0] StorageClass: got 'GLACIER_DEEP'; allowed: STANDARD_IA"),
    ("both Days and Date in one transition",
     _rule(Transitions=[{"Days": 30, "Date": "2030-01-01T00:00:00Z", "StorageClass": "GLACIER"}]),
     "rule 'bad-rule' Transitions[0]: give exactly one of Days and Date"),
    ("IA then GLACIER too close", _rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                                                     {"Days": 45, "StorageClass": "GLACIER"}]),
     "GLACIER at day 45 is less than 30 days after STANDARD_IA at day 30"),
    ("filter without And", _rule(Filter={"Prefix": "a/", "Tag": {"Key": "k", "Value": "v"}},
                                 Transitions=[{"Days": 1, "StorageClass": "GLACIER"}]),
     "more than one condition must be wrapped in And"),
    ("misspelt element", _rule(Transition=[{"Days": 1, "StorageClass": "GLACIER"}]),
     "rule 'bad-rule' Transition: unknown element"),
    ("date not midnight", _rule(Transitions=[{"Date": "2030-01-01T10:00:00Z",
                                              "StorageClass": "GLACIER"}]),
     "lifecycle dates are always midnight UTC"),
]


@pytest.mark.parametrize(("label", "doc", "expected"), REJECTED, ids=[r[0] for r in REJECTED])
def test_aws_rejections(tmp_path, label, doc, expected):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc))
    result = cli("validate", path)
    assert result.returncode == 2, (label, result.stdout)
    message = " ".join(result.stderr.split())
    assert expected in message, message
    assert str(path) in message.replace(" ", "") or "policy.json" in message
    assert "Traceback" not in result.stderr


def test_bad_json_and_bad_intelligent_tiering(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"Rules": [')
    result = cli("validate", broken)
    assert result.returncode == 2 and "not valid JSON: line 1" in result.stderr
    it = tmp_path / "it.json"
    it.write_text(json.dumps({"Id": "x", "Status": "Enabled",
                              "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 30}]}))
    result = cli("validate", it)
    assert result.returncode == 2
    assert "configuration 'x' Tierings[0] Days: got 30; ARCHIVE_ACCESS takes 90 to 730 days" in \
        " ".join(result.stderr.split())
