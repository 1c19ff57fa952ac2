"""The Korean search language of _ext/course_site.py (no browser needed)."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "course_site", Path(__file__).resolve().parents[2] / "_ext" / "course_site.py")
course_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course_site)


def lang():
    return course_site.SearchKorean({})


def test_hangul_words_are_indexed_with_their_prefixes():
    assert lang().split("가중치 초기화를") == ["가중치", "가중", "초기화를", "초기화", "초기"]


def test_one_syllable_prefixes_are_not_indexed():
    assert lang().split("층을") == ["층을"]


def test_latin_words_keep_english_rules():
    words = lang().split("ReLU의 He initialization")
    assert words == ["ReLU의", "He", "initialization"]
    assert lang().stem("initialization") == lang().stem("initializations")


def test_registered_as_korean():
    assert course_site.SearchKorean.lang == "ko"
