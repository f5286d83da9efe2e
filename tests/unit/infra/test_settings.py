def test_a_retired_setting_still_set_is_named_with_its_replacement() -> None:
    from infra.settings import retired_settings

    said = retired_settings({"GONGKAI_PG_POOL_OVERFLOW": "30", "GONGKAI_HOME": "x"})
    assert len(said) == 1
    assert said[0].startswith("GONGKAI_PG_POOL_OVERFLOW is no longer read")
    assert "GONGKAI_PG_CONNECTIONS" in said[0]
    assert retired_settings({"GONGKAI_HOME": "x"}) == []
