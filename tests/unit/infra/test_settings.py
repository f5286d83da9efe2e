def test_a_retired_setting_still_set_is_named_with_its_replacement() -> None:
    from infra.settings import retired_settings

    said = retired_settings({"GONGKAI_PG_POOL_OVERFLOW": "30", "GONGKAI_HOME": "x"})
    assert len(said) == 1
    assert said[0].startswith("GONGKAI_PG_POOL_OVERFLOW is no longer read")
    assert "GONGKAI_PG_CONNECTIONS" in said[0]
    assert retired_settings({"GONGKAI_HOME": "x"}) == []


def test_the_public_url_and_topic_names_are_checked_at_start() -> None:
    import pytest
    from pydantic import ValidationError

    from infra.settings import Settings

    assert Settings(public_url="").public_base_url == "http://127.0.0.1:8000"
    assert (
        Settings(public_url="https://gongkai.xinhe.gov.cn/").public_base_url
        == "https://gongkai.xinhe.gov.cn"
    )
    for bad in (
        {"public_url": "gongkai.xinhe.gov.cn"},
        {"public_url": "ftp://x"},
        {"public_url": "https://x/?q=1"},
        {"kafka_topic_prefix": "gong kai"},
        {"kafka_topic_prefix": "gongkai."},
        {"kafka_topic_depth": 5},
    ):
        with pytest.raises(ValidationError):
            Settings(**bad)  # type: ignore[arg-type]
