"""The responses a run's warm zygote keeps (insights.data.kept): a kernel's ``load`` of the very same
file and survey gets a copy equal to what reading the file gives; anything else reads the file."""

from __future__ import annotations

import os
import shutil
import warnings

import pandas as pd
import pytest

import insights
from insights.core.errors import SurveyDataWarning
from insights.data import kept
from insights.data.survey import SurveyDefinition, resolve_survey


@pytest.fixture
def source(tmp_path, sample_csv):
    path = tmp_path / "responses.csv"
    shutil.copy(sample_csv, path)
    yield path
    kept.forget()


def _load(path, survey, warn=False):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = insights.load(path, survey, warn=warn)
    return frame, [str(w.message) for w in caught if issubclass(w.category, SurveyDataWarning)]


def test_a_kept_frame_is_what_reading_the_file_gives_and_a_copy(source):
    survey = resolve_survey(None)
    fresh, _ = _load(source, survey)  # read from the file, nothing kept
    read, _ = _load(source, survey)
    assert kept.keep(source, survey, read)
    read.loc[read.index[0], "overall_satisfaction"] = -1  # the caller's frame is not the kept one
    again, _ = _load(source, survey)
    pd.testing.assert_frame_equal(again, fresh)
    assert again.attrs == fresh.attrs
    again.loc[again.index[0], "overall_satisfaction"] = -1  # nor is what load hands out
    pd.testing.assert_frame_equal(_load(source, survey)[0], fresh)


def test_the_warnings_are_given_again(source):
    survey = resolve_survey(None)
    read, warned = _load(source, survey, warn=True)
    kept.keep(source, survey, read)
    assert kept.kept(source, survey) is not None
    assert _load(source, survey, warn=True)[1] == warned
    assert _load(source, survey, warn=False)[1] == []


def test_another_file_state_or_survey_reads_the_file(source, tmp_path):
    survey = resolve_survey(None)
    read, _ = _load(source, survey)
    kept.keep(source, survey, read)
    other = SurveyDefinition(name="Another survey", drivers=dict(survey.drivers))
    assert kept.kept(source, other) is None
    assert kept.kept(str(source), survey) is not None  # the same file, named as text
    stamp = source.stat().st_mtime_ns + 1_000_000_000
    os.utime(source, ns=(stamp, stamp))  # rewritten: a kept frame no longer counts
    assert kept.kept(source, survey) is None
    with source.open("a") as f:  # and what load reads is the file as it is now
        f.write(source.read_text().splitlines()[1].replace("R000001", "R999999") + "\n")
    assert len(_load(source, survey)[0]) == len(read) + 1


def test_only_a_regular_file_is_kept(tmp_path, sample_csv):
    frame = insights.load(sample_csv, warn=False)
    assert not kept.keep(tmp_path, None, frame)  # a folder of files
    assert not kept.keep(tmp_path / "missing.csv", None, frame)
    assert kept.kept(frame, None) is None  # a DataFrame source
    kept.forget()
